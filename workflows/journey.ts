// The generic journey: snapshot the tree, then walk it. Each node is prepared by its module; a
// node that needs the user publishes a step and waits (up to the idle timeout) for the `submit`
// update, whose validator refuses anything but the current step. Modules run as local
// activities: a step costs one workflow task, and their inputs and results are recorded (and
// encrypted by the payload codec) in history, which is the replayable record of every decision.
// Since the `journey-chain` patch, the modules between two user steps run in ONE local activity
// (advanceJourney: activities/journey-chain.ts) whose result lists each node's decision, applied
// here one by one as before; and the journey has one idle deadline that each step moves, instead
// of a timer started and cancelled per step (IdleDeadline). Histories recorded before the patch
// replay through the node-by-node walk they were recorded with.
import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, patched, proxyLocalActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { JourneyInput, JourneyStatus } from '../core/journeys/journey-types.ts';
import { FailureTypes } from '../core/journeys/journey-types.ts';
import type { PrepareResult, VerifyResult } from '../core/journeys/journey-context.ts';
import type { Tree, TreeBundle } from '../core/journeys/tree-types.ts';
import type { ChainDecision } from '../activities/journey-chain.ts';
import { firstStepUpdate, followLinkUpdate, snapshotQuery, submitUpdate } from './contracts.ts';
import { GENERIC_FAILURE, INTERNAL_FAILURE, JourneyState } from './journey-state.ts';

// Bounded: a module that keeps failing (a bug, a database down) is tried a few times with backoff,
// then the journey ends `failed` with `internal_error` and the waiting step gets that answer.
// Input errors are non-retryable failures and end the journey at once.
const acts = proxyLocalActivities<Activities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '1m',
  retry: { initialInterval: '200ms', maximumInterval: '2s', backoffCoefficient: 2, maximumAttempts: 5 },
});

function failureOf(err: unknown): { code: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === 'TreeNotFound') return { code: 'tree_not_found', message: 'This sign-in flow is not configured.' };
  if (cause instanceof ApplicationFailure && cause.type === FailureTypes.invalidInput) return { code: 'invalid_input', message: 'Some input could not be used. Please start again.' };
  if (cause instanceof ApplicationFailure && cause.type === 'RegistrationDisabled') return { code: 'registration_disabled', message: 'This service does not accept new accounts.' };
  if (cause instanceof ApplicationFailure && cause.type === 'TreeNotAllowed') return { code: 'tree_not_allowed', message: 'This sign-in flow cannot create accounts.' };
  return INTERNAL_FAILURE;
}

type Terminal = 'success' | 'failure';

/**
 * Walks one tree to a terminal. Inner trees (a node whose module answers `subtree`) are walked
 * recursively, their node ids prefixed with the outer node's ("mfa/otp"); their terminal is the
 * outer node's outcome. Returns undefined when the journey ended inside (expired, internal error).
 */
async function walkNodeByNode(state: JourneyState, bundle: TreeBundle, tree: Tree, prefix: string, idleTimeoutMs: number): Promise<Terminal | undefined> {
  let nodeId: string | undefined = tree.start;
  while (state.status === 'waiting') {
    if (nodeId === 'success' || nodeId === 'failure') return nodeId;
    const node = nodeId === undefined ? undefined : tree.nodes[nodeId];
    if (!nodeId || !node) return void state.fail(INTERNAL_FAILURE);
    const key = prefix + nodeId;
    const prepared = await acts.prepareNode(state.call(key, node, tree.name));
    state.apply(key, prepared.patch);
    let outcome: string;
    if (prepared.kind === 'outcome') {
      outcome = prepared.outcome;
    } else if (prepared.kind === 'subtree') {
      const inner = bundle.inner?.[prepared.tree];
      if (!inner) return void state.fail(INTERNAL_FAILURE);
      const end = await walkNodeByNode(state, bundle, inner, `${key}/`, idleTimeoutMs);
      if (!end) return undefined;
      outcome = end;
    } else {
      state.show(key, prepared.step, prepared.link);
      // A step answered by a mailed link waits for the link's lifetime, not the idle timeout.
      if (!(await condition(() => state.hasInput, prepared.waitMs ?? idleTimeoutMs))) return void state.expire();
      const verdict = await acts.verifyNode(state.call(key, node, tree.name), state.takeInput());
      state.apply(key, verdict.patch, verdict.errors);
      outcome = verdict.outcome;
    }
    nodeId = state.route(key, node, outcome);
  }
  return undefined;
}

/**
 * The journey's one idle deadline: a shown step waits until `ms` after it was shown. A timer is
 * started only when no running timer fires before the deadline; a timer that fires early (the
 * deadline moved on since) starts the next one for what is left. A login that ends within the
 * idle timeout starts one timer and cancels none. Date.now() is the workflow's clock: a timer
 * fires no earlier than the clock of the task that started it plus its duration.
 */
class IdleDeadline {
  expired = false;
  #deadline = Number.POSITIVE_INFINITY;
  #waiting = false;
  #timerAt = Number.POSITIVE_INFINITY;

  /** A step is shown: it waits at most `ms` from now. */
  wait(ms: number): void {
    this.#deadline = Date.now() + ms;
    this.#waiting = true;
    this.expired = false;
    this.#arm();
  }

  /** Input came: nothing waits until the next step. */
  stop(): void {
    this.#waiting = false;
  }

  #arm(): void {
    if (!this.#waiting || this.#deadline >= this.#timerAt) return;
    const at = this.#deadline;
    this.#timerAt = at;
    void sleep(Math.max(1, at - Date.now())).then(() => {
      if (this.#timerAt === at) this.#timerAt = Number.POSITIVE_INFINITY;
      if (this.#waiting && Date.now() >= this.#deadline) this.expired = true;
      else this.#arm();
    });
  }
}

/** What a chain of modules decided, handed out node by node in the order the walk asks for them. */
class Decisions {
  #queue: ChainDecision[] = [];
  readonly state: JourneyState;
  /** The last chain's answer to requiredActions (it asks only on reaching the root's success). */
  requiredActions: Tree | null | undefined;

  constructor(state: JourneyState) {
    this.state = state;
  }

  async prepare(tree: Tree, prefix: string, nodeId: string): Promise<PrepareResult> {
    const next = await this.#take(tree, prefix, nodeId, 'prepare');
    return next.result as PrepareResult;
  }

  /** A step's input starts a new chain: nothing decided before the step may be left over. */
  async verify(tree: Tree, prefix: string, nodeId: string, values: Record<string, string>): Promise<VerifyResult> {
    if (this.#queue.length) throw ApplicationFailure.nonRetryable('the module chain went past a step', 'ChainMismatch');
    return (await this.#take(tree, prefix, nodeId, 'verify', values)).result as VerifyResult;
  }

  async #take(tree: Tree, prefix: string, nodeId: string, phase: 'prepare' | 'verify', values?: Record<string, string>): Promise<ChainDecision> {
    if (!this.#queue.length) {
      const { inner: _inner, ...plain } = tree as TreeBundle;
      const { decisions, requiredActions } = await acts.advanceJourney({
        ctx: this.state.ctx, tree: plain, prefix, node: nodeId, ...(values ? { values } : {}),
        attempts: this.state.attempts, routesLeft: this.state.routesLeft,
      });
      this.#queue = decisions;
      this.requiredActions = requiredActions;
    }
    const next = this.#queue.shift();
    if (!next || next.node !== prefix + nodeId || next.phase !== phase) {
      throw ApplicationFailure.nonRetryable(`the module chain did not decide ${phase} of "${prefix + nodeId}"`, 'ChainMismatch');
    }
    return next;
  }
}

/** walkNodeByNode's walk, with the modules run in chains and the journey's one idle deadline. */
async function walkChained(state: JourneyState, decisions: Decisions, deadline: IdleDeadline, bundle: TreeBundle, tree: Tree, prefix: string, idleTimeoutMs: number): Promise<Terminal | undefined> {
  let nodeId: string | undefined = tree.start;
  while (state.status === 'waiting') {
    if (nodeId === 'success' || nodeId === 'failure') return nodeId;
    const node = nodeId === undefined ? undefined : tree.nodes[nodeId];
    if (!nodeId || !node) return void state.fail(INTERNAL_FAILURE);
    const key = prefix + nodeId;
    const prepared = await decisions.prepare(tree, prefix, nodeId);
    state.apply(key, prepared.patch);
    let outcome: string;
    if (prepared.kind === 'outcome') {
      outcome = prepared.outcome;
    } else if (prepared.kind === 'subtree') {
      const inner = bundle.inner?.[prepared.tree];
      if (!inner) return void state.fail(INTERNAL_FAILURE);
      const end = await walkChained(state, decisions, deadline, bundle, inner, `${key}/`, idleTimeoutMs);
      if (!end) return undefined;
      outcome = end;
    } else {
      state.show(key, prepared.step, prepared.link);
      // A step answered by a mailed link waits for the link's lifetime, not the idle timeout.
      deadline.wait(prepared.waitMs ?? idleTimeoutMs);
      await condition(() => state.hasInput || deadline.expired);
      deadline.stop();
      if (!state.hasInput) return void state.expire();
      const verdict = await decisions.verify(tree, prefix, nodeId, state.takeInput());
      state.apply(key, verdict.patch, verdict.errors);
      outcome = verdict.outcome;
    }
    nodeId = state.route(key, node, outcome);
  }
  return undefined;
}

export async function journeyWorkflow(input: JourneyInput): Promise<{ status: JourneyStatus }> {
  const state = new JourneyState(input);
  setHandler(snapshotQuery, () => state.snapshot());
  setHandler(firstStepUpdate, async () => {
    await condition(() => state.seq > 0);
    return state.snapshot();
  });
  setHandler(submitUpdate, async (submit) => {
    const seen = state.seq;
    state.accept(submit);
    await condition(() => state.seq > seen);
    return state.snapshot();
  }, { validator: (submit) => state.validateSubmit(submit) });
  // Validators run in the workflow sandbox too: Date.now() there is the SDK's deterministic clock.
  setHandler(followLinkUpdate, async (link) => {
    const seen = state.seq;
    state.followLink(link);
    await condition(() => state.seq > seen);
    return state.snapshot();
  }, { validator: (link) => state.validateFollowLink(link, Date.now()) });

  // Patched: journeys recorded before ran each module as its own activity, with a timer per step.
  const chained = patched('journey-chain');
  const decisions = new Decisions(state);
  const deadline = new IdleDeadline();
  const walk = (bundle: TreeBundle, walked: Tree, prefix: string) => chained
    ? walkChained(state, decisions, deadline, bundle, walked, prefix, input.idleTimeoutMs)
    : walkNodeByNode(state, bundle, walked, prefix, input.idleTimeoutMs);
  let tree: TreeBundle | undefined;
  try {
    // Deterministic without a patch: whether a journey loads its trees is fixed by its input.
    tree = input.bundle ?? await acts.loadTree({ tenant: input.tenant, name: input.tree });
    let end = await walk(tree, tree, '');
    // Required actions (e.g. the tenant's forceProfileUpdate on a first sign-in) run after the
    // tree, before the session exists. Patched: journeys recorded before this ran without it.
    if (end === 'success' && patched('required-actions')) {
      // Deterministic without a patch: whether the last chain answered is recorded in its result.
      const actions = chained && decisions.requiredActions !== undefined ? decisions.requiredActions : await acts.requiredActions(state.ctx);
      if (actions) end = await walk(tree, actions, 'required/');
    }
    // Date.now() in the workflow sandbox is the SDK's deterministic clock (the task's start time).
    if (end === 'success') state.succeed(tree, Date.now());
    else if (end === 'failure') state.fail(state.ctx.error ?? GENERIC_FAILURE);
  } catch (err) {
    state.fail(failureOf(err));
  }
  await acts.recordJourneyEnd({
    tenant: input.tenant, journeyId: workflowInfo().workflowId, status: state.status, tree: input.tree,
    version: tree?.version ?? 0, subject: state.ctx.user?.id, error: state.error?.code, kind: input.kind,
    signedIn: state.result !== undefined, client: input.request.authRequest?.clientId,
  });
  await condition(allHandlersFinished);
  return { status: state.status };
}
