// The step latency histogram: how long the server waits for a journey's next view, by operation
// and outcome: ok; refused (the workflow rejected the input or the step); error (anything else).
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { stepDuration } from '../../../core/infra/metrics.ts';

export async function timedJourneyCall<T>(operation: 'start' | 'submit', call: Promise<T>): Promise<T> {
  const stop = stepDuration.startTimer({ operation });
  try {
    const result = await call;
    stop({ outcome: 'ok' });
    return result;
  } catch (err) {
    stop({ outcome: err instanceof WorkflowUpdateFailedError ? 'refused' : 'error' });
    throw err;
  }
}
