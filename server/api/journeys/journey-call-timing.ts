// The step latency histogram: how long the server waits for a journey's next view, by operation
// and outcome (ok, or refused/error when the call throws).
import { stepDuration } from '../../../core/infra/metrics.ts';

export async function timedJourneyCall<T>(operation: 'start' | 'submit', call: Promise<T>): Promise<T> {
  const stop = stepDuration.startTimer({ operation });
  try {
    const result = await call;
    stop({ outcome: 'ok' });
    return result;
  } catch (err) {
    stop({ outcome: 'error' });
    throw err;
  }
}
