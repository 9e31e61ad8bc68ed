// Back-channel logout (OpenID Connect Back-Channel Logout 1.0): when a core SSO session ends,
// every relying party it signed in to that registered a backchannel_logout_uri receives a
// logout token. Deliveries run in parallel, each retried with backoff for up to a day (an RP
// that is down when the user logs out still hears of it); each ends in an audit event, delivered
// or failed, and its session_clients row is removed.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { BackchannelLogoutInput, BackchannelTarget } from './backchannel-logout-contracts.ts';

const { listBackchannelTargets, finishBackchannelLogout } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m', backoffCoefficient: 2 },
});

const { deliverBackchannelLogout } = proxyActivities<Activities>({
  // One attempt: the POST (10 s timeout) and signing the token.
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '2s', maximumInterval: '1h', backoffCoefficient: 2 },
});

function reasonOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return (cause instanceof Error ? cause.message : String(cause)).slice(0, 200);
}

/** Delivers to one RP (retrying, see above) and records how it ended; true when delivered. */
async function notify(target: BackchannelTarget): Promise<boolean> {
  try {
    await deliverBackchannelLogout(target);
  } catch (err) {
    await finishBackchannelLogout({ ...target, delivered: false, error: reasonOf(err) });
    return false;
  }
  await finishBackchannelLogout({ ...target, delivered: true });
  return true;
}

export async function backchannelLogoutWorkflow(input: BackchannelLogoutInput): Promise<{ delivered: number; failed: number }> {
  const targets = await listBackchannelTargets(input);
  const results = await Promise.all(targets.map(notify));
  const delivered = results.filter(Boolean).length;
  return { delivered, failed: results.length - delivered };
}
