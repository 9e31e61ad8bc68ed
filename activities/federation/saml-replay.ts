// Assertion replay: each accepted assertion ID is kept per tenant + IdP until it could no longer
// be accepted anyway (its NotOnOrAfter + skew). The insert is the check: a unique key and ON
// CONFLICT DO NOTHING, so of two concurrent uses exactly one inserts and wins.
import type { Db } from '../../core/infra/db.ts';
import { UpstreamError } from '../../core/federation/federation-types.ts';

/** @throws UpstreamError replay when this assertion was accepted before. */
export async function rememberAssertion(db: Db, tenant: string, idp: string, assertionId: string, keepUntil: Date, now: Date): Promise<void> {
  if (assertionId.length > 1024) throw new UpstreamError('invalid_xml', 'The SAML assertion ID is too long.');
  await db`DELETE FROM saml_replay WHERE tenant_id = ${tenant} AND idp = ${idp} AND expires_at < ${now}`;
  const inserted = await db`INSERT INTO saml_replay (tenant_id, idp, assertion_id, expires_at)
    VALUES (${tenant}, ${idp}, ${assertionId}, ${keepUntil}) ON CONFLICT DO NOTHING RETURNING assertion_id`;
  if (inserted.length !== 1) throw new UpstreamError('replay', 'This SAML assertion was already used.');
}
