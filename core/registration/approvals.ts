// Accounts awaiting an admin's decision (the approvals table). The registration workflow owns the
// decision and is the only writer of a row's status; admins list rows and find the workflow to
// ask through them. Every query names the tenant; every write is idempotent (activities retry).
import { stringValues } from '../accounts/users.ts';
import type { Db } from '../infra/db.ts';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface Approval {
  id: string;
  tenant: string;
  userId: string;
  workflowId: string;
  status: ApprovalStatus;
  requestedAt: Date;
  /** When the workflow rejects the request without a decision (the deadline it started with). */
  deadlineAt: Date | null;
  remindedAt: Date | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  reason: string | null;
}

/** An approval with who signed up: their email, name and the profile attributes they entered. */
export interface PendingApproval extends Approval { email: string | null; name: string | null; attributes: Record<string, string> }

function withUser(row: Record<string, any>): PendingApproval {
  return { ...toApproval(row), email: row.email, name: row.name, attributes: stringValues(row.attributes) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isApprovalId(id: string): boolean {
  return UUID.test(id);
}

function toApproval(row: Record<string, any>): Approval {
  return {
    id: row.id, tenant: row.tenant_id, userId: row.user_id, workflowId: row.workflow_id, status: row.status,
    requestedAt: row.requested_at, deadlineAt: row.deadline_at ?? null, remindedAt: row.reminded_at, decidedAt: row.decided_at, decidedBy: row.decided_by, reason: row.reason,
  };
}

/** Opens the row of a registration awaiting approval; a second call changes nothing. */
export async function openApproval(db: Db, a: { tenant: string; userId: string; workflowId: string; requestedAt: Date; deadlineAt?: Date }): Promise<void> {
  await db`INSERT INTO approvals (tenant_id, user_id, workflow_id, status, requested_at, deadline_at)
    VALUES (${a.tenant}, ${a.userId}, ${a.workflowId}, 'pending', ${a.requestedAt}, ${a.deadlineAt ?? null})
    ON CONFLICT (tenant_id, user_id) DO NOTHING`;
}

/** Notes when admins were reminded (the first time only). */
export async function markApprovalReminded(db: Db, tenant: string, userId: string, at: Date): Promise<void> {
  await db`UPDATE approvals SET reminded_at = COALESCE(reminded_at, ${at}) WHERE tenant_id = ${tenant} AND user_id = ${userId}`;
}

/** Records the decision on a pending row; returns false when there was none (already recorded). */
export async function closeApproval(db: Db, d: { tenant: string; userId: string; status: Exclude<ApprovalStatus, 'pending'>; by?: string; reason?: string }): Promise<boolean> {
  const rows = await db`UPDATE approvals SET status = ${d.status}, decided_at = now(), decided_by = ${d.by ?? null}, reason = ${d.reason ?? null}
    WHERE tenant_id = ${d.tenant} AND user_id = ${d.userId} AND status = 'pending' RETURNING id`;
  return rows.length > 0;
}

/** The row by its id; undefined for an unknown or malformed id. */
export async function getApproval(db: Db, tenant: string, id: string): Promise<Approval | undefined> {
  if (!isApprovalId(id)) return undefined;
  const [row] = await db`SELECT * FROM approvals WHERE tenant_id = ${tenant} AND id = ${id}`;
  return row ? toApproval(row) : undefined;
}

export async function findApprovalForUser(db: Db, tenant: string, userId: string): Promise<Approval | undefined> {
  const [row] = await db`SELECT * FROM approvals WHERE tenant_id = ${tenant} AND user_id = ${userId}`;
  return row ? toApproval(row) : undefined;
}

/** Pending rows with who signed up, oldest first. */
export async function listPendingApprovals(db: Db, tenant: string, limit = 500): Promise<PendingApproval[]> {
  const rows = await db`SELECT a.*, u.email, u.name, u.attributes FROM approvals a
    JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id
    WHERE a.tenant_id = ${tenant} AND a.status = 'pending' ORDER BY a.requested_at, a.id LIMIT ${limit}`;
  return rows.map(withUser);
}

export interface ApprovalFilter { status?: ApprovalStatus; after?: { requestedAt: string; id: string }; limit: number }

/** Rows of any status with who signed up, oldest first, after the keyset `after` (cursor pagination). */
export async function listApprovals(db: Db, tenant: string, f: ApprovalFilter): Promise<PendingApproval[]> {
  const rows = await db`SELECT a.*, u.email, u.name, u.attributes FROM approvals a
    JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id
    WHERE a.tenant_id = ${tenant}
      ${f.status ? db`AND a.status = ${f.status}` : db``}
      ${f.after ? db`AND (a.requested_at, a.id) > (${f.after.requestedAt}::timestamptz, ${f.after.id}::uuid)` : db``}
    ORDER BY a.requested_at, a.id LIMIT ${f.limit}`;
  return rows.map(withUser);
}

/** One row of any status with who signed up; undefined for an unknown or malformed id. */
export async function getApprovalWithUser(db: Db, tenant: string, id: string): Promise<PendingApproval | undefined> {
  if (!isApprovalId(id)) return undefined;
  const [row] = await db`SELECT a.*, u.email, u.name, u.attributes FROM approvals a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id
    WHERE a.tenant_id = ${tenant} AND a.id = ${id}`;
  return row ? withUser(row) : undefined;
}
