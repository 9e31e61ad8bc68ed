// The Journey API's only way into Temporal: start a journey, submit to it, read it. Maps the
// workflow's refusals (update validator failures) to HTTP errors. The server never holds journey
// state; everything comes from the workflow.
import { randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { JourneyInput, JourneySnapshot, StepError } from '../../../core/journeys/journey-types.ts';
import { FailureTypes } from '../../../core/journeys/journey-types.ts';
import { firstStepUpdate, followLinkUpdate, snapshotQuery, submitUpdate } from '../../../workflows/contracts.ts';
import { HttpError, notFound } from '../../http-error.ts';
import { addLogContext } from '../../../core/infra/log-context.ts';
import { countJourney } from '../../../core/infra/metrics.ts';
import { timedJourneyCall } from './journey-call-timing.ts';
import { StartHandoff } from './start-handoff.ts';

const JOURNEY_ID = /^[A-Za-z0-9_-]{22,64}$/;

/** 192 random bits, URL-safe: the journey id and its Temporal workflow id. */
export function newJourneyId(): string {
  return randomBytes(24).toString('base64url');
}

function linkGone(): HttpError {
  return new HttpError(410, 'link_expired', 'This link has expired or was replaced by a newer one. Start again.');
}

/**
 * 409 journey_finished, with the finished journey: a browser whose answer was lost (a 503 while
 * no worker ran, after which the answer it had sent was carried out; a dropped connection) and
 * that answers again learns here that its login succeeded, and gets its session with it.
 */
export class JourneyFinished extends HttpError {
  readonly snapshot: JourneySnapshot;

  constructor(snapshot: JourneySnapshot) {
    super(409, 'journey_finished', `This journey has already ${snapshot.view.status}.`, snapshot.view as unknown as Record<string, unknown>);
    this.snapshot = snapshot;
  }
}

export class JourneyClient {
  readonly #client: Client;
  readonly #taskQueue: string;
  readonly #handoff = new StartHandoff();

  constructor(client: Client, taskQueue: string) {
    this.#client = client;
    this.#taskQueue = taskQueue;
  }

  async start(input: JourneyInput): Promise<JourneySnapshot> {
    addLogContext({ journeyId: input.id });
    const startWorkflowOperation = new WithStartWorkflowOperation('journeyWorkflow', {
      workflowId: input.id,
      taskQueue: this.#taskQueue,
      args: [input],
      // What the admin API counts journeys in flight by (server/api/admin/journeys-in-flight.ts).
      memo: { tenant: input.tenant, tree: input.tree },
      workflowIdConflictPolicy: 'FAIL',
    });
    const first = await timedJourneyCall('start', this.#client.workflow.executeUpdateWithStart(firstStepUpdate, { startWorkflowOperation }));
    // Counted once Temporal has the journey; the worker counts its end (core/infra/metrics.ts).
    countJourney(input.tenant, input.kind, input.tree, 'started');
    this.#handoff.keep(input.id, first, input.idleTimeoutMs);
    return first;
  }

  /** The journey if it exists, belongs to the tenant and is bound to this browser; else 404. */
  async read(tenant: string, id: string, binding: string | undefined): Promise<JourneySnapshot> {
    if (!JOURNEY_ID.test(id) || !binding) throw notFound('No such journey.');
    addLogContext({ journeyId: id });
    let snapshot: JourneySnapshot;
    try {
      snapshot = this.#handoff.take(id) ?? await this.#client.workflow.getHandle(id).query(snapshotQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('No such journey.');
      throw err;
    }
    if (snapshot.tenant !== tenant || snapshot.binding !== binding) throw notFound('No such journey.');
    return snapshot;
  }

  /** @throws HttpError 400 (invalid input), 404, 409 (not the current step), 410 (expired). */
  async submit(tenant: string, id: string, binding: string | undefined, stepId: string, values: unknown): Promise<JourneySnapshot> {
    if (!JOURNEY_ID.test(id) || !binding) throw notFound('No such journey.');
    addLogContext({ journeyId: id });
    this.#handoff.forget(id);
    // No step id is this long: answer as for any other step that is not the current one.
    if (stepId.length > 100) throw await this.conflict(tenant, id, binding);
    try {
      // The update validator checks tenant, binding and step, so no read is needed first.
      return await timedJourneyCall('submit', this.#client.workflow.getHandle(id).executeUpdate(submitUpdate, { args: [{ tenant, stepId, binding, values: values as Record<string, unknown> }] }));
    } catch (err) {
      throw await this.refusal(err, tenant, id, binding);
    }
  }

  /**
   * Answers the journey's current step with a followed link (its token's sha256) and moves the
   * journey to `binding`, the browser that followed it.
   * @throws HttpError 410 (`link_expired`) when the journey no longer waits for this link.
   */
  async followLink(tenant: string, id: string, hash: string, binding: string): Promise<JourneySnapshot> {
    if (!JOURNEY_ID.test(id)) throw linkGone();
    addLogContext({ journeyId: id });
    this.#handoff.forget(id);
    try {
      return await this.#client.workflow.getHandle(id).executeUpdate(followLinkUpdate, { args: [{ tenant, hash, binding }] });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure || err instanceof WorkflowNotFoundError || (err instanceof Error && /already completed/i.test(err.message))) {
        throw linkGone();
      }
      throw err;
    }
  }

  private async refusal(err: unknown, tenant: string, id: string, binding: string): Promise<unknown> {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure) {
      switch (cause.type) {
        case FailureTypes.notFound:
          return notFound('No such journey.');
        case FailureTypes.invalidInput:
          return this.invalidInput(tenant, id, binding, (cause.details?.[0] ?? []) as StepError[]);
        case FailureTypes.staleStep:
          return this.conflict(tenant, id, binding);
        case FailureTypes.finished:
          return this.finished(tenant, id, binding);
      }
    }
    // The workflow completed between our read and the update (e.g. it expired just now).
    if (err instanceof WorkflowNotFoundError) {
      // Unknown id, or the workflow completed between the user's read and this update.
      return this.finished(tenant, id, binding);
    }
    if (err instanceof Error && /already completed/i.test(err.message)) {
      return this.finished(tenant, id, binding);
    }
    return err;
  }

  /** 400 with the journey's current step (unchanged) and `errors`; 404 when not this browser's. */
  async invalidInput(tenant: string, id: string, binding: string | undefined, errors: StepError[]): Promise<HttpError> {
    const before = await this.read(tenant, id, binding);
    const view = before.view.step ? { ...before.view, step: { ...before.view.step, errors } } : before.view;
    return new HttpError(400, 'invalid_input', 'Some input is not valid.', view as unknown as Record<string, unknown>);
  }

  private async conflict(tenant: string, id: string, binding: string | undefined): Promise<HttpError> {
    const now = await this.read(tenant, id, binding);
    return new HttpError(409, 'stale_step', 'This step is no longer current; the journey is unchanged.', now.view as unknown as Record<string, unknown>);
  }

  private async finished(tenant: string, id: string, binding: string | undefined): Promise<HttpError> {
    const now = await this.read(tenant, id, binding);
    if (now.view.status === 'expired') return new HttpError(410, 'expired', 'This journey has expired. Start a new one.', now.view as unknown as Record<string, unknown>);
    return new JourneyFinished(now);
  }
}
