// A lockout set by the throttle module ends by itself: this workflow sleeps on a durable timer
// until the lock's end, then removes the lock (and audits `throttle.unlocked`) through an
// activity. No cron and no polling: the timer survives worker and server restarts. A lock set
// again while it sleeps (signalWithStart on the same workflow id) moves the end later; Temporal
// refuses to complete a run with an unhandled signal, so no extension is ever lost.
import { proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { extendLockSignal, type LockoutInput } from './lockout-contracts.ts';

const { clearLock } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m', backoffCoefficient: 2 },
});

export async function lockoutWorkflow(input: LockoutInput): Promise<void> {
  let until = input.until;
  setHandler(extendLockSignal, (next) => {
    if (Number.isFinite(next) && next > until) until = next;
  });
  let cleared = 0;
  while (cleared < until) {
    // Date.now() here is the SDK's deterministic workflow clock, replayed identically.
    for (let wait = until - Date.now(); wait > 0; wait = until - Date.now()) await sleep(wait);
    const target = until;
    await clearLock({ tenant: input.tenant, keyHash: input.keyHash, scope: input.scope, until: target });
    cleared = target;
  }
}
