// Single-use links sent by mail: email verification, the sign-in link mailed on approval, password
// recovery, and the proof of a new address (email change). The token is 256 random bits in the
// link; the database keeps its sha256.
// Rules: a link is sent at most once per dedupe key (the mail and the token row share it, and a
// retried sender gets back the first send's hash, so the link that went out is the one that
// works); the row exists before the mail leaves; following a link consumes it atomically; an unknown, used or expired token is told
// apart only by `reason`, which the caller may show (none of them reveals an account).
import type { Db } from '../infra/db.ts';
import { isSecretToken, newSecretToken, sha256 } from '../infra/secret-token.ts';
import type { Mailer } from '../infra/mail.ts';
import { describeLifetime, type TemplateName } from '../infra/mail-templates.ts';

export type LinkPurpose = 'verify-email' | 'sign-in' | 'recovery' | 'email-change';

export interface LinkRequest {
  tenant: string;
  purpose: LinkPurpose;
  to: string;
  template: TemplateName;
  /** Template values besides `link`, `expires` and `tenant`, which are filled in here. */
  vars?: Record<string, string>;
  ttlMs: number;
  /** Unique per tenant: the same key never mails or creates a second link. */
  dedupeKey: string;
  userId?: string;
  /** The registration workflow or journey the link leads back to. */
  workflowId?: string;
}

export interface SentLink { sent: boolean; hash: string; expiresAt: number }

export interface LinkRecord { purpose: LinkPurpose; userId: string | null; workflowId: string | null; expiresAt: Date }

export type Consumed =
  | ({ ok: true } & LinkRecord)
  | ({ ok: false; reason: 'expired' | 'used' } & LinkRecord)
  | { ok: false; reason: 'unknown' };

export function hashToken(token: string): string {
  return sha256(token);
}

/** The page a link opens: it asks the browser to confirm (mail scanners follow GET links). */
export function linkUrl(publicUrl: string, tenant: string, token: string): string {
  return `${publicUrl}/t/${encodeURIComponent(tenant)}/ui/link#token=${token}`;
}

/**
 * Mails a new link (once per dedupe key) and stores its hash. The row is written before the mail
 * goes out, so a link followed the moment it arrives is found; a retry finds the hash of the link
 * that went out in the mail's receipt (the first mail's, or its own when the first attempt died
 * before the server took it) and keeps (or puts back) that one.
 * @throws MailError when the message cannot be sent (the row then holds a hash nobody has).
 */
export async function sendLink(db: Db, mail: Mailer, publicUrl: string, req: LinkRequest, now = new Date()): Promise<SentLink> {
  const token = newSecretToken();
  const fresh = { hash: hashToken(token), expiresAt: now.getTime() + req.ttlMs };
  await db`INSERT INTO link_tokens (tenant_id, hash, purpose, user_id, workflow_id, dedupe_key, expires_at)
    VALUES (${req.tenant}, ${fresh.hash}, ${req.purpose}, ${req.userId ?? null}, ${req.workflowId ?? null},
            ${req.dedupeKey}, ${new Date(fresh.expiresAt)})
    ON CONFLICT DO NOTHING`;
  const receipt = await mail.send({
    tenant: req.tenant, to: req.to, template: req.template, dedupeKey: `link:${req.dedupeKey}`,
    vars: { tenant: req.tenant, ...req.vars, link: linkUrl(publicUrl, req.tenant, token), expires: describeLifetime(req.ttlMs) },
    meta: fresh,
  });
  const sent = receipt.meta as { hash: string; expiresAt: number };
  // The row must hold the hash of the link that actually went out (an earlier attempt's row may
  // hold another one), unless that link was already used.
  await db`UPDATE link_tokens SET hash = ${sent.hash}, expires_at = ${new Date(sent.expiresAt)}
    WHERE tenant_id = ${req.tenant} AND dedupe_key = ${req.dedupeKey} AND hash <> ${sent.hash} AND used_at IS NULL`;
  return { sent: receipt.sent, hash: sent.hash, expiresAt: sent.expiresAt };
}

function record(row: Record<string, any>): LinkRecord {
  return { purpose: row.purpose, userId: row.user_id, workflowId: row.workflow_id, expiresAt: row.expires_at };
}

/** Uses the link up: only the first caller gets `ok`. */
export async function consumeLink(db: Db, tenant: string, token: string): Promise<Consumed> {
  if (!isSecretToken(token)) return { ok: false, reason: 'unknown' };
  const hash = hashToken(token);
  const [used] = await db`UPDATE link_tokens SET used_at = now()
    WHERE tenant_id = ${tenant} AND hash = ${hash} AND used_at IS NULL AND expires_at > now()
    RETURNING purpose, user_id, workflow_id, expires_at`;
  if (used) return { ok: true, ...record(used) };
  const [row] = await db`SELECT purpose, user_id, workflow_id, expires_at, used_at FROM link_tokens
    WHERE tenant_id = ${tenant} AND hash = ${hash}`;
  if (!row) return { ok: false, reason: 'unknown' };
  return { ok: false, reason: row.used_at ? 'used' : 'expired', ...record(row) };
}

/** What a link was for, without using it (to offer a new one for a used or expired link). */
export async function peekLink(db: Db, tenant: string, token: string): Promise<LinkRecord | undefined> {
  if (!isSecretToken(token)) return undefined;
  const [row] = await db`SELECT purpose, user_id, workflow_id, expires_at FROM link_tokens
    WHERE tenant_id = ${tenant} AND hash = ${hashToken(token)}`;
  return row ? record(row) : undefined;
}
