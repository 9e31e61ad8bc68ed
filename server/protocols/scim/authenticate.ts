// Who is calling a tenant's SCIM endpoint: `Authorization: Bearer <SCIM token>` of this tenant
// (tessera scim-tokens create). The caller then acts through the management operations as a
// tenant-admin of this tenant only, recorded as `scim:<token name>`.
// Rules: a missing, malformed, unknown, revoked or other tenant's token gets the same 401 (with
// WWW-Authenticate, RFC 6750) so the answer does not say which; the token is looked up by its
// sha256 and never logged, echoed or recorded.
import type { RequestHandler } from 'express';
import type { Db } from '../../../core/infra/db.ts';
import { findScimToken } from '../../../core/scim/scim-tokens.ts';
import { ScimError } from '../../../core/scim/scim-error.ts';
import type { AdminPrincipal } from '../../api/admin/principal.ts';

const BEARER = /^Bearer[ ]+([^\s]{1,4096})\s*$/i;

export const scimActor = (name: string) => `scim:${name}`;

export function authenticateScim(db: Db): RequestHandler {
  return async (req, res, next) => {
    const tenant = req.tenant!.id;
    const header = req.get('authorization');
    const presented = header ? BEARER.exec(header)?.[1] : undefined;
    const token = presented ? await findScimToken(db, tenant, presented) : undefined;
    if (!token) {
      res.set('WWW-Authenticate', header ? 'Bearer realm="scim", error="invalid_token"' : 'Bearer realm="scim"');
      return next(new ScimError(401, 'A valid SCIM token of this tenant is required (Authorization: Bearer …).'));
    }
    const principal: AdminPrincipal = { actor: scimActor(token.name), grants: [{ role: 'tenant-admin', tenant }] };
    res.locals.principal = principal;
    next();
  };
}
