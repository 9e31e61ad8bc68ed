// Terms of service: numbered versions per tenant (the newest is current) and which users accepted
// which version. Adding a version makes every user accept again.
import type { Db } from '../infra/db.ts';

export interface TermsVersion { tenant: string; version: number; url: string; title: string; createdAt: Date }

export class TermsInputError extends Error {}

export const DEFAULT_TERMS_TITLE = 'Terms of Service';

function toTerms(row: Record<string, any>): TermsVersion {
  return { tenant: row.tenant_id, version: row.version, url: row.url, title: row.title, createdAt: row.created_at };
}

/** @throws TermsInputError for a URL that is not http(s) or a title that is empty or too long. */
export function checkTerms(url: string, title: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TermsInputError(`"${url.slice(0, 100)}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TermsInputError('the terms URL must start with https:// or http://');
  if (url.length > 2000) throw new TermsInputError('the terms URL is too long (max 2000 characters)');
  if (!title.trim() || title.length > 200 || /[\r\n]/.test(title)) throw new TermsInputError('the title must be one line of 1 to 200 characters');
}

/** Stores the next version of the tenant's terms; it becomes current at once. */
export async function addTerms(db: Db, tenant: string, url: string, title = DEFAULT_TERMS_TITLE): Promise<TermsVersion> {
  checkTerms(url, title);
  return db.begin(async (tx) => {
    // Serialize concurrent additions so two never race for the same version number.
    const [owner] = await tx`SELECT id FROM tenants WHERE id = ${tenant} FOR UPDATE`;
    if (!owner) throw new TermsInputError(`there is no tenant "${tenant}"`);
    const [row] = await tx`INSERT INTO terms_versions (tenant_id, version, url, title)
      SELECT ${tenant}, coalesce(max(version), 0) + 1, ${url}, ${title.trim()} FROM terms_versions WHERE tenant_id = ${tenant}
      RETURNING *`;
    return toTerms(row!);
  });
}

export async function listTerms(db: Db, tenant: string): Promise<TermsVersion[]> {
  const rows = await db`SELECT * FROM terms_versions WHERE tenant_id = ${tenant} ORDER BY version`;
  return rows.map(toTerms);
}

export async function getTerms(db: Db, tenant: string, version: number): Promise<TermsVersion | undefined> {
  const [row] = await db`SELECT * FROM terms_versions WHERE tenant_id = ${tenant} AND version = ${version}`;
  return row ? toTerms(row) : undefined;
}

/** Versions newest first, below `before`, each with how many users accepted it. */
export async function listTermsPage(db: Db, tenant: string, { before, limit }: { before?: number; limit: number }): Promise<(TermsVersion & { acceptances: number })[]> {
  const rows = await db`SELECT v.*, (SELECT count(*)::int FROM terms_acceptances a WHERE a.tenant_id = v.tenant_id AND a.version = v.version) AS acceptances
    FROM terms_versions v WHERE v.tenant_id = ${tenant} ${before !== undefined ? db`AND v.version < ${before}` : db``}
    ORDER BY v.version DESC LIMIT ${limit}`;
  return rows.map((r) => ({ ...toTerms(r), acceptances: r.acceptances }));
}

export async function acceptanceCount(db: Db, tenant: string, version: number): Promise<number> {
  const [row] = await db`SELECT count(*)::int AS n FROM terms_acceptances WHERE tenant_id = ${tenant} AND version = ${version}`;
  return row?.n ?? 0;
}

export interface TermsAcceptance { userId: string; acceptedAt: Date; journeyId: string | null }

/** Who accepted `version`, newest first, after the cursor. */
export async function listAcceptancesPage(db: Db, tenant: string, version: number,
  { after, limit }: { after?: { acceptedAt: string; userId: string }; limit: number }): Promise<TermsAcceptance[]> {
  const rows = await db`SELECT user_id, accepted_at, journey_id FROM terms_acceptances
    WHERE tenant_id = ${tenant} AND version = ${version}
      ${after ? db`AND (accepted_at, user_id) < (${after.acceptedAt}::timestamptz, ${after.userId}::uuid)` : db``}
    ORDER BY accepted_at DESC, user_id DESC LIMIT ${limit}`;
  return rows.map((r) => ({ userId: r.user_id, acceptedAt: r.accepted_at, journeyId: r.journey_id }));
}

export async function currentTerms(db: Db, tenant: string): Promise<TermsVersion | undefined> {
  const [row] = await db`SELECT * FROM terms_versions WHERE tenant_id = ${tenant} ORDER BY version DESC LIMIT 1`;
  return row ? toTerms(row) : undefined;
}

export async function hasAccepted(db: Db, tenant: string, userId: string, version: number): Promise<boolean> {
  const rows = await db`SELECT 1 FROM terms_acceptances
    WHERE tenant_id = ${tenant} AND user_id = ${userId} AND version = ${version}`;
  return rows.length > 0;
}

/** Records an acceptance; accepting the same version again changes nothing. */
export async function recordAcceptance(db: Db, tenant: string, userId: string, version: number, journeyId?: string): Promise<void> {
  await db`INSERT INTO terms_acceptances (tenant_id, user_id, version, journey_id)
    VALUES (${tenant}, ${userId}, ${version}, ${journeyId ?? null}) ON CONFLICT DO NOTHING`;
}

/** The terms versions a user accepted, newest first, with when. */
export async function listUserAcceptances(db: Db, tenant: string, userId: string): Promise<(TermsVersion & { acceptedAt: Date })[]> {
  const rows = await db`SELECT v.*, a.accepted_at FROM terms_acceptances a
    JOIN terms_versions v ON v.tenant_id = a.tenant_id AND v.version = a.version
    WHERE a.tenant_id = ${tenant} AND a.user_id = ${userId} ORDER BY a.version DESC LIMIT 100`;
  return rows.map((r) => ({ ...toTerms(r), acceptedAt: r.accepted_at }));
}
