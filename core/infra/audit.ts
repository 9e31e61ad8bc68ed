// Audit events. A dedupe key makes recording idempotent, so a retried activity writes once.
import type { Db } from './db.ts';

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
  await db`INSERT INTO audit_events (tenant_id, type, actor, subject, journey_id, dedupe_key, data)
    VALUES (${e.tenant}, ${e.type}, ${e.actor ?? null}, ${e.subject ?? null}, ${e.journeyId ?? null},
            ${e.dedupeKey ?? null}, ${db.json((e.data ?? {}) as never)})
    ON CONFLICT DO NOTHING`;
}

export async function listAudit(db: Db, tenant: string, limit = 100): Promise<(AuditEvent & { at: Date })[]> {
  const rows = await db`SELECT * FROM audit_events WHERE tenant_id = ${tenant} ORDER BY id DESC LIMIT ${limit}`;
  return rows.map((r) => ({
    tenant: r.tenant_id, type: r.type, actor: r.actor ?? undefined, subject: r.subject ?? undefined,
    journeyId: r.journey_id ?? undefined, data: r.data, at: r.at,
  }));
}
