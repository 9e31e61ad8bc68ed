// The generic journey: snapshot the tree, then walk it. Each node is prepared by its module; a
// node that needs the user publishes a step and waits (up to the idle timeout) for the `submit`
// update, whose validator refuses anything but the current step. Modules run as local
// activities: a step costs one workflow task, and their inputs and results are recorded (and
// encrypted by the payload codec) in history, which is the replayable record of every decision.
import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, patched, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { JourneyInput, JourneyStatus } from '../core/journeys/journey-types.ts';
import { FailureTypes } from '../core/journeys/journey-types.ts';
import type { Tree, TreeBundle } from '../core/journeys/tree-types.ts';
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
  return INTERNAL_FAILURE;
}

type Terminal = 'success' | 'failure';

/**
 * Walks one tree to a terminal. Inner trees (a node whose module answers `subtree`) are walked
 * recursively, their node ids prefixed with the outer node's ("mfa/otp"); their terminal is the
 * outer node's outcome. Returns undefined when the journey ended inside (expired, internal error).
 */
async function walk(state: JourneyState, bundle: TreeBundle, tree: Tree, prefix: string, idleTimeoutMs: number): Promise<Terminal | undefined> {
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
      const end = await walk(state, bundle, inner, `${key}/`, idleTimeoutMs);
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

  let tree: TreeBundle | undefined;
  try {
    tree = await acts.loadTree({ tenant: input.tenant, name: input.tree });
    let end = await walk(state, tree, tree, '', input.idleTimeoutMs);
    // Required actions (e.g. the tenant's forceProfileUpdate on a first sign-in) run after the
    // tree, before the session exists. Patched: journeys recorded before this ran without it.
    if (end === 'success' && patched('required-actions')) {
      const actions = await acts.requiredActions(state.ctx);
      if (actions) end = await walk(state, tree, actions, 'required/', input.idleTimeoutMs);
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
    signedIn: state.result !== undefined,
  });
  await condition(allHandlersFinished);
  return { status: state.status };
}
