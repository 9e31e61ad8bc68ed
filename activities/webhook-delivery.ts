// The webhook delivery workflow's activities: one attempt, and recording how the delivery ended.
// Rules:
// - The secret and the event's content are read here from the database, never received from
//   the workflow, so neither is ever in a Temporal history.
// - The body is the same JSON on every attempt; each attempt is signed afresh (Tessera-Signature
//   with the current time, and with the previous secret too during a rotation's grace), names the event (Tessera-Event-Id, for the receiver to drop repeats)
//   and times out after 10 s. Redirects are not followed. Only a 2xx counts as delivered.
// - A failure is described by its status code or network error name, never the response body.
import type { Db } from '../core/infra/db.ts';
import { recordAudit } from '../core/infra/audit.ts';
import { openSecret, SECRET_COLUMNS } from '../core/infra/secret-columns.ts';
import { closeDelivery, recordAttempt } from '../core/webhooks/deliveries.ts';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from '../core/webhooks/signature.ts';
import type { WebhookAttemptInput, WebhookAttemptResult, WebhookDeliveryEnd } from '../workflows/webhook-delivery-contracts.ts';

const ATTEMPT_TIMEOUT_MS = 10_000;

/** The body a receiver gets: what happened, where, when, and its ids. */
export function eventBody(row: Record<string, any>): string {
  return JSON.stringify({
    id: row.event_id, type: row.type, tenant: row.tenant_id, occurredAt: new Date(row.occurred_at).toISOString(), data: row.data,
  });
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ responseCode?: number; error?: string }> {
  try {
    const res = await fetch(url, {
      method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      headers: { 'content-type': 'application/json', 'user-agent': 'Tessera-Webhooks/1', ...headers }, body,
    });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? { responseCode: res.status } : { responseCode: res.status, error: `the receiver answered ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { error: `could not reach the receiver (${cause})` };
  }
}

/** The webhook's secret, and the previous one while its rotation grace lasts, opened from their sealed form. */
function signingSecrets(input: WebhookAttemptInput, secret: string, previous: string | null): string[] {
  const key = [input.tenant, input.webhookId];
  const secrets = [openSecret(SECRET_COLUMNS.webhookSecret, key, secret)];
  if (previous) secrets.push(openSecret(SECRET_COLUMNS.webhookPreviousSecret, key, previous));
  return secrets;
}

export function createWebhookDeliveryActivities({ db }: { db: Db }) {
  return {
    /** One POST of the event to the webhook. @throws only for our own faults (the database). */
    async attemptWebhookDelivery(input: WebhookAttemptInput): Promise<WebhookAttemptResult> {
      const [row] = await db`SELECT w.url, w.secret, w.enabled, o.event_id,
          CASE WHEN w.previous_secret_until > now() THEN w.previous_secret END AS previous_secret, o.type, o.tenant_id, o.occurred_at, o.data
        FROM webhooks w LEFT JOIN webhook_outbox o ON o.event_id = ${input.eventId} AND o.tenant_id = w.tenant_id
        WHERE w.tenant_id = ${input.tenant} AND w.id = ${input.webhookId}`;
      if (!row) return { outcome: 'gone', error: 'the webhook was deleted' };
      if (!row.enabled) return { outcome: 'gone', error: 'the webhook was disabled' };
      if (!row.event_id) return { outcome: 'gone', error: 'the event is no longer kept' };
      const body = eventBody(row);
      const result = await post(row.url, body, {
        [SIGNATURE_HEADER]: signatureHeader(signingSecrets(input, row.secret, row.previous_secret), Math.floor(Date.now() / 1000), body),
        [EVENT_ID_HEADER]: row.event_id, [EVENT_TYPE_HEADER]: row.type,
        'Tessera-Delivery-Attempt': String(input.attempt),
      });
      await recordAttempt(db, { ...input, ...result });
      return { outcome: result.error ? 'failed' : 'delivered', ...result };
    },

    /** Closes the delivery; a dead-lettered one is also an audit event for the tenant's admins. */
    async finishWebhookDelivery(end: WebhookDeliveryEnd): Promise<void> {
      await db.begin(async (transaction) => {
        const tx = transaction as unknown as Db;
        if (!(await closeDelivery(tx, end)) || end.status !== 'dead-lettered') return;
        await recordAudit(tx, {
          tenant: end.tenant, type: 'webhook.dead_lettered', subject: end.webhookId,
          dedupeKey: `webhook.dead_lettered:${end.webhookId}:${end.eventId}`,
          data: { webhook: end.webhookId, event: end.eventId, ...(end.error ? { error: end.error } : {}) },
        });
      });
    },
  };
}

export type WebhookDeliveryActivities = ReturnType<typeof createWebhookDeliveryActivities>;
