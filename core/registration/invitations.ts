// Invitations (the invitations table): codes, lookups and acceptance. Starting and revoking the
// invitation workflow is core/registration/invitation-lifecycle.ts.
// Rules: a code is 256 bits (base64url; derived per invitation under the codec key by
// activities/invitations.ts) and only its sha256 is stored; a code is bound to
// the invited address, so a code presented with another email is `unknown`, exactly like a code
// that does not exist; acceptance is one UPDATE ... WHERE status = 'pending' AND not expired, so
// only one account ever gets `ok`; a pending row past its expiry counts as expired everywhere,
// before the workflow's timer has written it.
import type { Db } from '../infra/db.ts';
import { newSecretToken, sha256 } from '../infra/secret-token.ts';

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface Invitation {
  id: string;
  tenant: string;
  email: string;
  status: InvitationStatus;
  /** 'user:<uuid>', 'admin:<token name>' or 'cli'. */
  inviter: string;
  inviterUserId: string | null;
  workflowId: string;
  expiresAt: Date;
  createdAt: Date;
  acceptedAt: Date | null;
  acceptedUserId: string | null;
  revokedAt: Date | null;
}

export type AcceptResult =
  | { ok: true; id: string; workflowId: string }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'revoked' };

const CODE = /^[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function invitationWorkflowId(tenant: string, id: string): string {
  return `invitation-${tenant}-${id}`;
}

export function newInvitationCode(): string {
  return newSecretToken();
}

export function hashInvitationCode(code: string): string {
  return sha256(code);
}

/** The signup page with the code in the fragment: browsers never send it to a server or in Referer. */
export function invitationLink(publicUrl: string, tenant: string, code: string): string {
  return `${publicUrl}/t/${encodeURIComponent(tenant)}/ui/signup#invite=${code}`;
}

// The status as of now: a pending row whose time is up is expired even before the workflow says so.
const COLUMNS = (db: Db) => db`id, tenant_id, email, inviter, inviter_user_id, workflow_id, expires_at, created_at,
  accepted_at, accepted_user_id, revoked_at,
  CASE WHEN status = 'pending' AND expires_at <= now() THEN 'expired' ELSE status END AS status`;

function toInvitation(row: Record<string, any>): Invitation {
  return {
    id: row.id, tenant: row.tenant_id, email: row.email, status: row.status, inviter: row.inviter,
    inviterUserId: row.inviter_user_id, workflowId: row.workflow_id, expiresAt: row.expires_at, createdAt: row.created_at,
    acceptedAt: row.accepted_at, acceptedUserId: row.accepted_user_id, revokedAt: row.revoked_at,
  };
}

export async function getInvitation(db: Db, tenant: string, id: string): Promise<Invitation | undefined> {
  if (!UUID.test(id)) return undefined;
  const [row] = await db`SELECT ${COLUMNS(db)} FROM invitations WHERE tenant_id = ${tenant} AND id = ${id}`;
  return row ? toInvitation(row) : undefined;
}

/** Newest first; only those one user sent when `inviterUserId` is given. */
export async function listInvitations(db: Db, tenant: string, filter: { inviterUserId?: string; limit?: number } = {}): Promise<Invitation[]> {
  const limit = filter.limit ?? 500;
  const rows = filter.inviterUserId
    ? await db`SELECT ${COLUMNS(db)} FROM invitations WHERE tenant_id = ${tenant} AND inviter_user_id = ${filter.inviterUserId}
        ORDER BY created_at DESC LIMIT ${limit}`
    : await db`SELECT ${COLUMNS(db)} FROM invitations WHERE tenant_id = ${tenant} ORDER BY created_at DESC LIMIT ${limit}`;
  return rows.map(toInvitation);
}

/** Invitations that use up a user's quota: accepted ones and those still pending. */
export async function countQuotaInvitations(db: Db, tenant: string, inviterUserId: string): Promise<number> {
  const [row] = await db`SELECT count(*)::int AS n FROM invitations WHERE tenant_id = ${tenant} AND inviter_user_id = ${inviterUserId}
    AND (status = 'accepted' OR (status = 'pending' AND expires_at > now()))`;
  return row!.n;
}

/** Checks a code without using it (the signup form validates it before the account exists). */
export async function findUsableInvitation(db: Db, tenant: string, code: string, email: string): Promise<{ id: string; workflowId: string } | undefined> {
  if (!CODE.test(code)) return undefined;
  const [row] = await db`SELECT id, workflow_id FROM invitations WHERE tenant_id = ${tenant} AND code_hash = ${hashInvitationCode(code)}
    AND status = 'pending' AND expires_at > now() AND lower(email) = lower(${email})`;
  return row ? { id: row.id, workflowId: row.workflow_id } : undefined;
}

/**
 * Uses the invitation up for `userId`: only the first caller gets `ok` (and a retry for the same
 * user). The caller then sends the workflow the `accepted` signal (invitationAcceptedSignal) with
 * the same user id; should that signal be lost, the workflow still ends accepted at its expiry.
 */
export async function acceptInvitation(db: Db, tenant: string, code: string, email: string, userId: string): Promise<AcceptResult> {
  if (!CODE.test(code) || !UUID.test(userId)) return { ok: false, reason: 'unknown' };
  const hash = hashInvitationCode(code);
  const [used] = await db`UPDATE invitations SET status = 'accepted', accepted_at = now(), accepted_user_id = ${userId}
    WHERE tenant_id = ${tenant} AND code_hash = ${hash} AND status = 'pending' AND expires_at > now()
      AND lower(email) = lower(${email})
    RETURNING id, workflow_id`;
  if (used) return { ok: true, id: used.id, workflowId: used.workflow_id };
  const [row] = await db`SELECT id, workflow_id, status, accepted_user_id FROM invitations
    WHERE tenant_id = ${tenant} AND code_hash = ${hash} AND lower(email) = lower(${email})`;
  if (!row) return { ok: false, reason: 'unknown' };
  // The same account again: a retried caller (an activity) gets the answer it already had.
  if (row.status === 'accepted' && row.accepted_user_id === userId.toLowerCase()) return { ok: true, id: row.id, workflowId: row.workflow_id };
  if (row.status === 'accepted') return { ok: false, reason: 'used' };
  if (row.status === 'revoked') return { ok: false, reason: 'revoked' };
  return { ok: false, reason: 'expired' };
}

/** Whether the tenant already has an account with this address (any status). */
export async function emailRegistered(db: Db, tenant: string, email: string): Promise<boolean> {
  const [row] = await db`SELECT 1 FROM users WHERE tenant_id = ${tenant} AND lower(email) = lower(${email}) LIMIT 1`;
  return row !== undefined;
}

/** Newest first, of one status when given, before the keyset `before` (cursor pagination). */
export async function listInvitationsPage(db: Db, tenant: string, f: { status?: InvitationStatus; before?: { createdAt: string; id: string }; limit: number }): Promise<Invitation[]> {
  const rows = await db`SELECT ${COLUMNS(db)} FROM invitations WHERE tenant_id = ${tenant}
    ${f.status ? db`AND status = ${f.status}` : db``}
    ${f.before ? db`AND (created_at, id) < (${f.before.createdAt}::timestamptz, ${f.before.id}::uuid)` : db``}
    ORDER BY created_at DESC, id DESC LIMIT ${f.limit}`;
  return rows.map(toInvitation);
}
