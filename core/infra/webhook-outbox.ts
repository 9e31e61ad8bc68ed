// Writes an audit event that is also a webhook event: the audit row and its outbox row in one
// statement, so both exist or neither does, and a retried activity (dedupe key) writes neither
// twice. The outbox row is written only when some enabled webhook of the tenant wants the type:
// a tenant without webhooks pays nothing. The dispatcher (bin/runtime/webhook-dispatcher.ts) reads it.
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from './audit.ts';
import type { Db } from './db.ts';
import type { WebhookEvent } from './webhook-events.ts';

export async function recordAuditWithOutbox(db: Db, e: AuditEvent, event: WebhookEvent): Promise<void> {
  await db`WITH audit AS (
      INSERT INTO audit_events (tenant_id, type, actor, subject, journey_id, dedupe_key, data)
      VALUES (${e.tenant}, ${e.type}, ${e.actor ?? null}, ${e.subject ?? null}, ${e.journeyId ?? null},
              ${e.dedupeKey ?? null}, ${db.json((e.data ?? {}) as never)})
      ON CONFLICT DO NOTHING
      RETURNING id, at)
    INSERT INTO webhook_outbox (event_id, tenant_id, type, audit_id, occurred_at, data)
    SELECT ${randomUUID()}, ${e.tenant}, ${event.type}, audit.id, audit.at, ${db.json(event.data as never)}
    FROM audit
    WHERE EXISTS (SELECT 1 FROM webhooks w
                  WHERE w.tenant_id = ${e.tenant} AND w.enabled AND ${event.type}::text = ANY (w.event_types))`;
}
