// An invitation from mail to its end. The activity mails the link (its code is made there and
// never enters history); meanwhile the workflow waits for the `accepted` signal, the `revoke`
// update or the ttl timer, and ends by recording the outcome through an activity.
// Rules: the database decides races (an acceptance and a revoke or the expiry at the same moment:
// whichever UPDATE ... WHERE status = 'pending' wins is the outcome); a refused mail is retried
// with backoff (1 min doubling to 1 h) for as long as the invitation is pending, never dropped,
// and the query shows it; revoke answers only once the row says revoked, and a revoke that lost
// to an acceptance or the expiry fails with InvitationFinished.
import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import {
  InvitationFailures, invitationAcceptedSignal, invitationStateQuery, revokeUpdate,
  type InvitationInput, type InvitationState,
} from './invitation-contracts.ts';

// A short retry inside the activity; longer outages are the workflow's backoff, visible in the query.
const { sendInvitation } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumAttempts: 3 },
});

// Database writes: retried until they succeed.
const { finishInvitation } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m', backoffCoefficient: 2 },
});

const FIRST_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 3_600_000;

function finished(status: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`the invitation is ${status}`, InvitationFailures.finished, status);
}

/** What may be shown of a failed send: the mail error's own text (it carries no secret), else nothing. */
function mailError(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === 'MailError' ? cause.message : 'the mail could not be sent';
}

async function mailUntilSent(input: InvitationInput, state: InvitationState): Promise<void> {
  let backoff = FIRST_BACKOFF_MS;
  while (state.status === 'pending') {
    state.mail = { ...state.mail, state: state.mail.attempts === 0 ? 'sending' : 'retrying' };
    try {
      const result = await sendInvitation({ tenant: input.tenant, invitationId: input.invitationId });
      state.mail = { state: result, attempts: state.mail.attempts + 1 };
      return;
    } catch (err) {
      state.mail = { state: 'retrying', attempts: state.mail.attempts + 1, lastError: mailError(err) };
    }
    await condition(() => state.status !== 'pending', backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

export async function invitationWorkflow(input: InvitationInput): Promise<InvitationState> {
  // Date.now() here is the SDK's deterministic workflow clock, replayed identically.
  const state: InvitationState = { status: 'pending', mail: { state: 'none', attempts: 0 }, expiresAt: Date.now() + input.ttlMs };
  let acceptedBy: string | undefined;
  let revokeBy: string | undefined;
  let done = false;

  setHandler(invitationStateQuery, () => state);
  setHandler(invitationAcceptedSignal, (accepted) => {
    if (!done && typeof accepted?.userId === 'string' && accepted.userId.length <= 64) acceptedBy ??= accepted.userId;
  });
  setHandler(revokeUpdate, async (request) => {
    // Set before the first await, so a second revoke in the same task is refused by its validator.
    revokeBy = request.by;
    await condition(() => done);
    if (state.status !== 'revoked') throw finished(state.status);
    return state;
  }, {
    validator: (request) => {
      if (typeof request?.by !== 'string' || request.by.length === 0 || request.by.length > 200) {
        throw ApplicationFailure.nonRetryable('revoke needs who revokes (by)', 'InvalidInput');
      }
      if (done || revokeBy !== undefined || acceptedBy !== undefined) throw finished(done ? state.status : 'ending');
    },
  });

  void mailUntilSent(input, state);
  while (state.status === 'pending') {
    const wait = state.expiresAt - Date.now();
    if (wait > 0) await condition(() => acceptedBy !== undefined || revokeBy !== undefined, wait);
    const outcome = acceptedBy !== undefined ? 'accepted' : revokeBy !== undefined ? 'revoked' : 'expired';
    const end = await finishInvitation({ tenant: input.tenant, invitationId: input.invitationId, outcome, by: revokeBy, userId: acceptedBy });
    // An `accepted` signal the row does not confirm is ignored.
    if (end.status === 'pending') {
      acceptedBy = undefined;
      continue;
    }
    state.status = end.status;
    if (end.status === 'accepted') state.acceptedUserId = end.userId;
    if (end.status === 'revoked') state.revokedBy = revokeBy;
  }
  if (state.mail.state !== 'sent') state.mail = { ...state.mail, state: 'skipped' };
  done = true;
  await condition(allHandlersFinished);
  return state;
}
