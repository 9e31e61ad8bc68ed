// Audit events. A dedupe key makes recording idempotent, so a retried activity writes once.
import type { Db } from './db.ts';
import { webhookEventOf } from './webhook-events.ts';
import { recordAuditWithOutbox } from './webhook-outbox.ts';

export interface AuditEvent {
  tenant: string;
  type: string;
  actor?: string;
  subject?: string;
  journeyId?: string;
  dedupeKey?: string;
  data?: Record<string, unknown>;
}

export async function recordAudit(db: Db, e: AuditEvent): Promise<void> {
  const event = webhookEventOf(e);
  if (event) return recordAuditWithOutbox(db, e, event);
  await db`INSERT INTO audit_events (tenant_id, type, actor, subject, journey_id, dedupe_key, data)
    VALUES (${e.tenant}, ${e.type}, ${e.actor ?? null}, ${e.subject ?? null}, ${e.journeyId ?? null},
            ${e.dedupeKey ?? null}, ${db.json((e.data ?? {}) as never)})
    ON CONFLICT DO NOTHING`;
}

/** Whether an event with this dedupe key was recorded (a retried activity asks what its first attempt wrote). */
export async function auditRecorded(db: Db, tenant: string, dedupeKey: string): Promise<boolean> {
  const rows = await db`SELECT 1 FROM audit_events WHERE tenant_id = ${tenant} AND dedupe_key = ${dedupeKey} LIMIT 1`;
  return rows.length > 0;
}

export async function listAudit(db: Db, tenant: string, limit = 100): Promise<(AuditEvent & { at: Date })[]> {
  const rows = await db`SELECT * FROM audit_events WHERE tenant_id = ${tenant} ORDER BY id DESC LIMIT ${limit}`;
  return rows.map((r) => ({
    tenant: r.tenant_id, type: r.type, actor: r.actor ?? undefined, subject: r.subject ?? undefined,
    journeyId: r.journey_id ?? undefined, data: r.data, at: r.at,
  }));
}

export interface AuditQuery {
  /** Exact type, or a prefix ending in `.` or `*` (e.g. `admin.users.`). */
  type?: string;
  subject?: string;
  actor?: string;
  /**
   * The relying party an event concerns: data.client (admin.clients.*, token.exchanged, journey ends
   * of journeys a client started, …) or data.clientId.
   */
  client?: string;
  journeyId?: string;
  from?: Date;
  to?: Date;
  /** Events older than this id (cursor pagination, newest first). */
  beforeId?: string;
  limit: number;
}

export interface StoredAuditEvent extends AuditEvent { id: string; at: Date }

/** Newest first. Every filter is an indexed or bounded condition on one tenant's rows. */
export async function queryAudit(db: Db, tenant: string, q: AuditQuery): Promise<StoredAuditEvent[]> {
  const prefix = q.type && /[.*]$/.test(q.type) ? q.type.replace(/\*$/, '') : undefined;
  const rows = await db`SELECT * FROM audit_events WHERE tenant_id = ${tenant}
    ${q.type && !prefix ? db`AND type = ${q.type}` : db``}
    ${prefix ? db`AND starts_with(type, ${prefix})` : db``}
    ${q.subject ? db`AND subject = ${q.subject}` : db``}
    ${q.actor ? db`AND actor = ${q.actor}` : db``}
    ${q.client ? db`AND (data->>'client' = ${q.client} OR data->>'clientId' = ${q.client})` : db``}
    ${q.journeyId ? db`AND journey_id = ${q.journeyId}` : db``}
    ${q.from ? db`AND at >= ${q.from}` : db``}
    ${q.to ? db`AND at < ${q.to}` : db``}
    ${q.beforeId ? db`AND id < ${q.beforeId}::bigint` : db``}
    ORDER BY id DESC LIMIT ${q.limit}`;
  return rows.map((r) => ({
    id: String(r.id), tenant: r.tenant_id, type: r.type, actor: r.actor ?? undefined, subject: r.subject ?? undefined,
    journeyId: r.journey_id ?? undefined, data: r.data, at: r.at,
  }));
}
