// Who is calling the account API: `Authorization: Bearer <access token>` issued by the tenant's
// own provider to the account console (`tessera-account`) for this API. Rules: a JWT (typ
// at+jwt) signed by the tenant's published keys, issuer `{PUBLIC_URL}/t/{tenant}` of the tenant
// in the path, audience exactly `{PUBLIC_URL}/t/{tenant}/api/account` (the `resource` the console
// asks for), client_id `tessera-account`, not expired nor revoked; its subject an active user of the tenant.
// Anything else (another client's or audience's token, an admin token, a disabled user) gets the
// same 401 with `WWW-Authenticate: Bearer` (RFC 6750). Answers are never cached. Sets
// res.locals.account = { tenant, userId }: every resource acts on that user only.
import type { RequestHandler } from 'express';
import { getUser } from '../../../core/accounts/users.ts';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { ACCOUNT_CONSOLE_CLIENT } from '../../../core/oidc/builtin-clients.ts';
import { verifyAccessTokenJwt } from '../../../core/oidc/jwt-access-tokens.ts';
import { HttpError } from '../../http-error.ts';

const BEARER = /^Bearer[ ]+([\w-]+\.[\w-]+\.[\w-]+)\s*$/i;
const MAX_TOKEN = 4096;

export interface AccountPrincipal { tenant: string; userId: string }

/** The resource indicator the account console asks for; the only audience this API accepts. */
export const accountApiAudience = (config: Config, tenant: string) => `${config.publicUrl}/t/${tenant}/api/account`;

async function verify(db: Db, config: Config, tenant: string, token: string): Promise<AccountPrincipal | undefined> {
  // The same check as every JWT access token of ours: signature, issuer, typ, expiry, revocation.
  const verified = await verifyAccessTokenJwt(db, tenant, `${config.publicUrl}/t/${tenant}`, token, { audience: accountApiAudience(config, tenant) });
  const payload = verified?.payload;
  if (payload?.client_id !== ACCOUNT_CONSOLE_CLIENT) return undefined;
  const user = await getUser(db, tenant, String(payload.sub));
  return user?.status === 'active' ? { tenant, userId: user.id } : undefined;
}

export function authenticateAccount(db: Db, config: Config): RequestHandler {
  return async (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    const header = req.get('authorization');
    const token = header && header.length <= MAX_TOKEN ? BEARER.exec(header)?.[1] : undefined;
    const principal = token ? await verify(db, config, req.tenant!.id, token) : undefined;
    if (!principal) {
      res.set('WWW-Authenticate', header ? 'Bearer realm="tessera", error="invalid_token"' : 'Bearer realm="tessera"');
      return next(new HttpError(401, 'unauthorized', 'A valid access token of the account console is required (Authorization: Bearer …).'));
    }
    res.locals.account = principal;
    next();
  };
}
