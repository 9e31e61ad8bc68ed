// Who is calling the management API: `Authorization: Bearer <token>` with either
// - an admin token (`tessera admin-tokens create`, `tsa_…`): its tenant and role; or
// - an access token issued by a tenant's own OIDC provider (what the admin console gets by signing
//   in): a JWT (typ at+jwt) signed by that tenant's keys, issuer `{PUBLIC_URL}/t/{tenant}`,
//   audience the admin API (`{PUBLIC_URL}/api/admin`, asked for as the `resource`), issued to a
//   first-party client, for an active user; the roles are that user's role groups.
// Rules: anything missing, malformed, unknown, revoked or expired gets the same 401 with
// `WWW-Authenticate: Bearer` (RFC 6750), so the answer does not say which; tokens are looked up by
// their sha256 or verified by signature, never compared character by character; admin answers
// are never cached. Sets res.locals.principal.
import type { RequestHandler } from 'express';
import { decodeJwt } from 'jose';
import { findAdminToken } from '../../../core/accounts/admin-tokens.ts';
import { getUser } from '../../../core/accounts/users.ts';
import { rolesOfUser } from '../../../core/admin/roles.ts';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { ACCOUNT_CONSOLE_CLIENT, builtinClient } from '../../../core/oidc/builtin-clients.ts';
import { getOidcClient } from '../../../core/oidc/oidc-clients.ts';
import { verifyAccessTokenJwt } from '../../../core/oidc/jwt-access-tokens.ts';
import { HttpError } from '../../http-error.ts';
import type { AdminPrincipal } from './principal.ts';

const BEARER = /^Bearer[ ]+([^\s]{1,4096})\s*$/i;
const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** The resource indicator a client asks for to get a token the admin API accepts. */
export const adminApiAudience = (config: Config) => `${config.publicUrl}/api/admin`;

/** Who an admin token's decisions are recorded as (approvals.decided_by, audit actor). */
export const tokenActor = (name: string) => `admin:${name}`;

async function fromAdminToken(db: Db, presented: string): Promise<AdminPrincipal | undefined> {
  const token = await findAdminToken(db, presented);
  if (!token) return undefined;
  return { actor: tokenActor(token.name), grants: [{ role: token.role, tenant: token.tenant }] };
}

function issuerTenant(config: Config, iss: unknown): string | undefined {
  const prefix = `${config.publicUrl}/t/`;
  if (typeof iss !== 'string' || !iss.startsWith(prefix)) return undefined;
  const tenant = iss.slice(prefix.length);
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant) ? tenant : undefined;
}

async function fromAccessToken(db: Db, config: Config, presented: string): Promise<AdminPrincipal | undefined> {
  if (!JWS_COMPACT.test(presented)) return undefined;
  let tenant: string | undefined;
  try {
    tenant = issuerTenant(config, decodeJwt(presented).iss);
  } catch {
    return undefined;
  }
  if (!tenant) return undefined;
  // Signature, issuer, typ, expiry and the revocation list (a revoked token is refused at once).
  const verified = await verifyAccessTokenJwt(db, tenant, `${config.publicUrl}/t/${tenant}`, presented, { audience: adminApiAudience(config) });
  if (!verified) return undefined;
  const { payload } = verified;
  const clientId = String(payload.client_id);
  // The account console's tokens are for the user's own account, never for administration.
  if (clientId === ACCOUNT_CONSOLE_CLIENT) return undefined;
  const metadata = builtinClient(config.publicUrl, tenant, clientId) ?? (await getOidcClient(db, tenant, clientId))?.metadata;
  if (metadata?.first_party !== true) return undefined;
  const user = await getUser(db, tenant, String(payload.sub));
  if (user?.status !== 'active') return undefined;
  const roles = await rolesOfUser(db, tenant, user.id);
  return { actor: `user:${tenant}/${user.id}`, grants: roles.map((role) => ({ role, tenant })) };
}

export function authenticateAdmin(db: Db, config: Config): RequestHandler {
  return async (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    const header = req.get('authorization');
    const presented = header ? BEARER.exec(header)?.[1] : undefined;
    const principal = presented
      ? (await fromAdminToken(db, presented)) ?? (await fromAccessToken(db, config, presented))
      : undefined;
    if (!principal) {
      res.set('WWW-Authenticate', header ? 'Bearer realm="tessera", error="invalid_token"' : 'Bearer realm="tessera"');
      return next(new HttpError(401, 'unauthorized', 'A valid admin token or admin access token is required (Authorization: Bearer …).'));
    }
    res.locals.principal = principal;
    next();
  };
}
