// Delivers one event to one webhook: an attempt now, then retries with exponential backoff
// (retryDelayMs) until a 2xx or until the webhook's dead-letter time has passed since the first
// attempt; the last retry happens at that deadline, then the delivery is marked dead-lettered.
// An HTTP failure is an answer (the attempt activity returns it); only our own faults (database)
// make the activity throw, and Temporal retries those.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { retryDelayMs, type WebhookDeliveryInput } from './webhook-delivery-contracts.ts';

const { attemptWebhookDelivery, finishWebhookDelivery } = proxyActivities<Activities>({
  // One attempt is a POST with a 10 s timeout and two small queries; a worker that dies mid-attempt
  // is noticed (and the attempt repeated, same event id) after this long.
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', maximumInterval: '1m', backoffCoefficient: 2 },
});

export interface WebhookDeliveryResult { status: 'delivered' | 'dead-lettered'; attempts: number }

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  const { tenant, webhookId, eventId } = input;
  // Date.now() in the workflow sandbox is the SDK's deterministic clock.
  const deadline = Date.now() + input.deadLetterAfterMs;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptWebhookDelivery({ tenant, webhookId, eventId, attempt });
    if (result.outcome === 'delivered') {
      await finishWebhookDelivery({ tenant, webhookId, eventId, status: 'delivered' });
      return { status: 'delivered', attempts: attempt };
    }
    const left = deadline - Date.now();
    if (result.outcome === 'gone' || left <= 0) {
      await finishWebhookDelivery({ tenant, webhookId, eventId, status: 'dead-lettered', ...(result.error ? { error: result.error } : {}) });
      return { status: 'dead-lettered', attempts: attempt };
    }
    await sleep(Math.min(retryDelayMs(input.retryBaseMs, attempt), left));
  }
}
