// GET /t/{tenant}/account/v1.0/authenticate — a registered service asks who a user token is.
// Rules:
// - the caller proves it is a service of this tenant with its token (`X-Service-Token`, or
//   `Authorization: Bearer`); without one, every answer is the same 401;
// - the user token (`X-Auth-Token`) must be live: unknown, expired, revoked, or of a user no
//   longer active all get one and the same 401, so the answer says nothing more;
// - both tokens are found by their sha256 (index lookups, no character-by-character compare);
// - 200 `{ uuid, email, name, groups }`, never cached.
import type { Request, RequestHandler, Response } from 'express';
import { findService } from '../../../core/legacy/legacy-services.ts';
import { authenticateUserToken } from '../../../core/legacy/legacy-tokens.ts';
import { HttpError } from '../../http-error.ts';
import type { LegacyDeps } from './deps.ts';

const BEARER = /^Bearer[ ]+([^\s]{1,200})\s*$/i;
const MAX_TOKEN = 200;

function header(req: Request, name: string): string | undefined {
  const value = req.get(name)?.trim();
  return value && value.length <= MAX_TOKEN ? value : undefined;
}

function serviceTokenOf(req: Request): string | undefined {
  const explicit = header(req, 'x-service-token');
  if (explicit) return explicit;
  const authorization = req.get('authorization');
  return authorization ? BEARER.exec(authorization)?.[1] : undefined;
}

function unauthorized(res: Response, code: string, message: string): HttpError {
  res.set('WWW-Authenticate', 'Bearer realm="tessera"');
  return new HttpError(401, code, message);
}

export function authenticateHandler({ db }: LegacyDeps): RequestHandler {
  return async (req, res) => {
    const tenant = req.tenant!.id;
    const serviceToken = serviceTokenOf(req);
    const service = serviceToken ? await findService(db, tenant, serviceToken) : undefined;
    if (!service) throw unauthorized(res, 'invalid_service', 'A valid service token of this tenant is required (X-Service-Token).');
    const userToken = header(req, 'x-auth-token');
    const user = userToken ? await authenticateUserToken(db, tenant, userToken) : undefined;
    if (!user) throw unauthorized(res, 'invalid_token', 'The user token is missing, unknown, expired or revoked.');
    res.json(user);
  };
}
