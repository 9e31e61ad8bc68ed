// The client registration endpoint of a tenant (RFC 7591) and its client configuration endpoint
// (RFC 7592), at /t/T/oidc/reg and /t/T/oidc/reg/{client_id}; the rules are those of
// core/oidc/client-registration.ts. Here:
// - POST needs `Authorization: Bearer <initial access token>`; GET, PUT and DELETE the client's
//   registration access token. A missing, wrong, used-up or expired token, or an unknown client,
//   answers 401 `invalid_token` with a Bearer challenge (RFC 6750), the same for each.
// - Bodies are JSON (at most 64 KiB); bad metadata answers 400 `invalid_client_metadata` (or
//   `invalid_redirect_uri`) with a description; nothing is changed then, and an initial access
//   token is used up only by a registration that succeeds.
// - Answers are never cached. POST answers 201 with the client's metadata, its secret (confidential
//   clients), the registration access token and registration_client_uri; DELETE answers 204.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  deleteRegistration, initialAccessTokenValid, registerClient, registeredClient, registrationResponse, replaceRegistration,
  useInitialAccessToken, validateRegistration,
} from '../../../core/oidc/client-registration.ts';
import { OidcClientInputError } from '../../../core/oidc/oidc-client-metadata.ts';
import type { OidcDeps } from './deps.ts';
import { issuerFor } from './provider-config.ts';

const BEARER = /^Bearer[ ]+([A-Za-z0-9_-]{1,200})\s*$/i;

export const registrationEndpoint = (issuer: string) => `${issuer}/oidc/reg`;

function bearer(req: Request): string | undefined {
  const header = req.get('authorization');
  return header ? BEARER.exec(header)?.[1] : undefined;
}

function unauthorized(res: Response): void {
  res.set('WWW-Authenticate', 'Bearer error="invalid_token"').status(401)
    .json({ error: 'invalid_token', error_description: 'a valid access token for this endpoint is required' });
}

function refused(res: Response, err: unknown): void {
  if (!(err instanceof OidcClientInputError)) throw err;
  const error = /redirect_uris/.test(err.message) ? 'invalid_redirect_uri' : 'invalid_client_metadata';
  res.status(400).json({ error, error_description: err.message.slice(0, 1000) });
}

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
  next();
};

class BodyError extends OidcClientInputError {}

const parseJson = express.json({ limit: '64kb', type: () => true });

/** Parses the JSON body. @throws BodyError when it is not JSON or too large. */
function readBody(req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve, reject) => {
    parseJson(req, res, (err?: unknown) => (err ? reject(new BodyError('the body must be JSON client metadata (at most 64 KiB)')) : resolve(req.body)));
  });
}

type RegisteredClient = NonNullable<Awaited<ReturnType<typeof registeredClient>>>;

export function registrationRoutes(deps: OidcDeps): Router {
  const router = Router({ mergeParams: true });
  const tenantOf = (req: Request) => req.tenant!.id;
  const clientUri = (req: Request, clientId: string) => `${registrationEndpoint(issuerFor(deps.config.publicUrl, tenantOf(req)))}/${encodeURIComponent(clientId)}`;
  const answer = (handle: (req: Request, res: Response) => Promise<void>): RequestHandler => async (req, res, next) => {
    try {
      await handle(req, res);
    } catch (err) {
      try {
        refused(res, err);
      } catch (other) {
        next(other);
      }
    }
  };
  const withClient = (handle: (req: Request, res: Response, client: RegisteredClient) => Promise<void>) => answer(async (req, res) => {
    const token = bearer(req);
    const client = token ? await registeredClient(deps.db, tenantOf(req), String(req.params.clientId), token) : undefined;
    if (!client) return unauthorized(res);
    await handle(req, res, client);
  });

  router.post('/', noStore, answer(async (req, res) => {
    const token = bearer(req);
    if (!token || !(await initialAccessTokenValid(deps.db, tenantOf(req), token))) return unauthorized(res);
    // Refused metadata does not use the token up; the use is taken (atomically) just before saving.
    const body = await readBody(req, res);
    validateRegistration(body);
    if (!(await useInitialAccessToken(deps.db, tenantOf(req), token))) return unauthorized(res);
    const { client, registrationAccessToken } = await registerClient(deps.db, tenantOf(req), body);
    res.status(201).json({
      ...registrationResponse(client), registration_access_token: registrationAccessToken, registration_client_uri: clientUri(req, client.clientId),
    });
  }));

  router.get('/:clientId', noStore, withClient(async (req, res, client) => {
    res.json({ ...registrationResponse(client), registration_client_uri: clientUri(req, client.clientId) });
  }));

  router.put('/:clientId', noStore, withClient(async (req, res, client) => {
    const updated = await replaceRegistration(deps.db, tenantOf(req), client, await readBody(req, res));
    res.json({ ...registrationResponse(updated), registration_client_uri: clientUri(req, updated.clientId) });
  }));

  router.delete('/:clientId', noStore, withClient(async (req, res, client) => {
    await deleteRegistration(deps.db, tenantOf(req), client.clientId);
    res.status(204).end();
  }));

  return router;
}
