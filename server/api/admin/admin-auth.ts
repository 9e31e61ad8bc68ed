// Authentication of the admin API: `Authorization: Bearer <token>` with a live admin token of the
// tenant in the path (`tessera admin-tokens create`).
// Rules: a missing, malformed, unknown, revoked or other tenant's token gets the same 401 with
// `WWW-Authenticate: Bearer` (RFC 6750), so the answer does not tell them apart; the token is
// found by its sha256, never compared character by character; admin answers are never cached.
// Sets res.locals.admin = { name } for the routes after it.
import type { RequestHandler } from 'express';
import type { Db } from '../../../core/infra/db.ts';
import { findAdminToken } from '../../../core/accounts/admin-tokens.ts';
import { HttpError } from '../../http-error.ts';

export interface AdminIdentity { name: string }

const BEARER = /^Bearer[ ]+([^\s]{1,200})\s*$/i;

/** Who an admin's decisions are recorded as (approvals.decided_by, audit actor). */
export function adminActor(admin: AdminIdentity): string {
  return `admin:${admin.name}`;
}

export function adminAuth(db: Db): RequestHandler {
  return async (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    const header = req.get('authorization');
    const presented = header ? BEARER.exec(header)?.[1] : undefined;
    const token = presented ? await findAdminToken(db, presented) : undefined;
    if (!token || token.tenant !== req.tenant!.id) {
      res.set('WWW-Authenticate', header ? 'Bearer realm="tessera", error="invalid_token"' : 'Bearer realm="tessera"');
      return next(new HttpError(401, 'unauthorized', 'A valid admin token of this tenant is required (Authorization: Bearer …).'));
    }
    res.locals.admin = { name: token.name } satisfies AdminIdentity;
    next();
  };
}
