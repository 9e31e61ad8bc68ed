// The webhook delivery workflow's input and what its activities exchange. The dispatcher imports
// this file (to start the workflow), never the workflow itself. Nothing here is a secret or an
// event's content: the activity reads both from the database, so neither is in the history.

export interface WebhookDeliveryInput {
  tenant: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  /** The first retry waits this long; each next one twice as long (up to an hour). */
  retryBaseMs: number;
  /** After this long without a 2xx the delivery is dead-lettered (the webhook's setting). */
  deadLetterAfterMs: number;
}

export interface WebhookAttemptInput { tenant: string; webhookId: string; eventId: string; attempt: number }

/** `gone`: the webhook was deleted or disabled, or the event is no longer kept: nothing to retry. */
export interface WebhookAttemptResult { outcome: 'delivered' | 'failed' | 'gone'; responseCode?: number; error?: string }

export interface WebhookDeliveryEnd {
  tenant: string;
  webhookId: string;
  eventId: string;
  status: 'delivered' | 'dead-lettered';
  error?: string;
}

export const WEBHOOK_DELIVERY_WORKFLOW = 'webhookDeliveryWorkflow';
export const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * One run per (webhook, event), ever: the dispatcher may start it again after a crash and gets
 * the run that exists (or the one that finished), so Tessera never delivers an event twice on purpose.
 */
export function webhookDeliveryWorkflowId(input: { webhookId: string; eventId: string }): string {
  return `webhook-delivery-${input.webhookId}-${input.eventId}`;
}

/** The wait after failed attempt `attempt` (1-based): base, 2×base, 4×base … at most an hour. Pure. */
export function retryDelayMs(baseMs: number, attempt: number): number {
  return Math.min(baseMs * 2 ** Math.min(attempt - 1, 30), MAX_RETRY_DELAY_MS);
}
