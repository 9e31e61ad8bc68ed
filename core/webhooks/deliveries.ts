// Deliveries of events to webhooks (webhook_deliveries): one row per (webhook, event), opened by
// the dispatcher, updated after every attempt, closed as delivered or dead-lettered. What operators
// read to see why a receiver is not getting its events.
// Rules: the last error is a status code or a network error name, never a response body; every
// update is idempotent (an activity retried after a crash writes the same values).
import type { Db } from '../infra/db.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead-lettered';

export interface Delivery {
  webhookId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  responseCode: number | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  finishedAt: Date | null;
  /** The sort key of lists (created_at to the microsecond, as text, and the event id). */
  cursor: { at: string; id: string };
}

function toDelivery(row: Record<string, any>): Delivery {
  return {
    webhookId: row.webhook_id, eventId: row.event_id, eventType: row.event_type, status: row.status, attempts: row.attempts,
    lastError: row.last_error ?? null, responseCode: row.response_code ?? null, createdAt: row.created_at,
    lastAttemptAt: row.last_attempt_at ?? null, finishedAt: row.finished_at ?? null,
    cursor: { at: row.created_key, id: row.event_id },
  };
}

/** Opens the delivery; returns its status (an existing row's, when the dispatcher saw this event before). */
export async function openDelivery(db: Db, d: { tenant: string; webhookId: string; eventId: string; eventType: string }): Promise<DeliveryStatus> {
  const [row] = await db`WITH opened AS (
      INSERT INTO webhook_deliveries (webhook_id, event_id, tenant_id, event_type)
      VALUES (${d.webhookId}, ${d.eventId}, ${d.tenant}, ${d.eventType})
      ON CONFLICT DO NOTHING RETURNING status)
    SELECT status FROM opened
    UNION ALL SELECT status FROM webhook_deliveries WHERE webhook_id = ${d.webhookId} AND event_id = ${d.eventId}
    LIMIT 1`;
  return row!.status;
}

export async function recordAttempt(db: Db, d: { tenant: string; webhookId: string; eventId: string; attempt: number; responseCode?: number; error?: string }): Promise<void> {
  await db`UPDATE webhook_deliveries SET attempts = GREATEST(attempts, ${d.attempt}), last_attempt_at = now(),
      response_code = ${d.responseCode ?? null}, last_error = ${d.error ?? null}
    WHERE tenant_id = ${d.tenant} AND webhook_id = ${d.webhookId} AND event_id = ${d.eventId}`;
}

/** @returns whether this call closed it (false: already closed, or the webhook is gone). */
export async function closeDelivery(db: Db, d: { tenant: string; webhookId: string; eventId: string; status: 'delivered' | 'dead-lettered'; error?: string }): Promise<boolean> {
  const rows = await db`UPDATE webhook_deliveries SET status = ${d.status}, finished_at = now(),
      last_error = COALESCE(${d.error ?? null}, last_error)
    WHERE tenant_id = ${d.tenant} AND webhook_id = ${d.webhookId} AND event_id = ${d.eventId} AND status = 'pending'
    RETURNING 1`;
  return rows.length > 0;
}

/** Newest first; `before` is the createdAt+eventId cursor of the last one seen. */
export async function listDeliveries(db: Db, tenant: string, webhookId: string, page: { status?: DeliveryStatus; before?: { at: string; id: string }; limit: number }): Promise<Delivery[]> {
  const rows = await db`SELECT *, created_at::text AS created_key FROM webhook_deliveries WHERE tenant_id = ${tenant} AND webhook_id = ${webhookId}
    ${page.status ? db`AND status = ${page.status}` : db``}
    ${page.before ? db`AND (created_at, event_id) < (${page.before.at}::timestamptz, ${page.before.id}::uuid)` : db``}
    ORDER BY created_at DESC, event_id DESC LIMIT ${page.limit}`;
  return rows.map(toDelivery);
}
