// A resource-server guard for Node services that accept access tokens issued by a Tessera tenant
// (or any OpenID provider issuing RFC 9068 JWT access tokens). Depends on jose only.
// Rules: a token is accepted only when its signature verifies against the issuer's JWKS with an
// allowed algorithm, `typ` is `at+jwt` (what oidc-provider puts on JWT access tokens; an ID token
// or any other JWT is refused), `iss` is the issuer, `aud` includes the audience, and it is within
// exp/nbf. A request is allowed only when an entry of the permissions claim matches its method and
// path (see permissions.ts). Failures answer 401 `invalid_token` (no detail of the token itself);
// a valid token without a matching permission answers 403 `insufficient_scope`.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { permits } from './permissions.ts';

export interface ResourceGuardOptions {
  /** The tenant's issuer, e.g. https://id.example.com/t/acme. */
  issuer: string;
  /** Defaults to Tessera's layout: `${issuer}/oidc/jwks`. */
  jwksUri?: string;
  /** The audience this service answers to (a resource indicator or client_id). */
  audience: string | string[];
  permissionsClaim?: string;
  /** JWS algorithms accepted; never `none` or a symmetric one. */
  algorithms?: string[];
  /** Seconds of clock skew tolerated for exp/nbf. */
  clockTolerance?: number;
}

// Structural request/response types, so the middleware fits Express, Connect or bare node:http.
export interface GuardRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  auth?: JWTPayload;
}
export interface GuardResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}
export type GuardMiddleware = (req: GuardRequest, res: GuardResponse, next: (error?: unknown) => void) => void;

export interface ResourceGuard {
  /** The token's payload. @throws when the token is not acceptable (see the rules above). */
  verify(token: string): Promise<JWTPayload>;
  allows(payload: JWTPayload, method: string, path: string): boolean;
  /** Verifies the Bearer token, checks permissions, and puts the payload on `req.auth`. */
  middleware(): GuardMiddleware;
}

const ASYMMETRIC = /^(?:RS|PS|ES)(?:256|384|512)$|^(?:EdDSA|Ed25519)$/;

function refuse(res: GuardResponse, status: number, error: string, description: string): void {
  res.statusCode = status;
  // RFC 6750 §3.1: a request without any token gets a bare challenge, without an error code.
  const challenge = error === 'missing_token' ? 'Bearer' : `Bearer error="${error}", error_description="${description}"`;
  res.setHeader('WWW-Authenticate', challenge);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify({ error, error_description: description }));
}

function bearerToken(req: GuardRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  return match?.[1];
}

/** @throws TypeError for options that would accept unsafe tokens. */
export function createResourceGuard(options: ResourceGuardOptions): ResourceGuard {
  const { issuer, audience, permissionsClaim = 'permissions', clockTolerance = 5 } = options;
  const algorithms = options.algorithms ?? ['ES256', 'RS256', 'PS256', 'EdDSA'];
  if (!issuer || !audience || (Array.isArray(audience) && audience.length === 0)) throw new TypeError('issuer and audience are required');
  if (algorithms.length === 0 || !algorithms.every((alg) => ASYMMETRIC.test(alg))) {
    throw new TypeError('algorithms must be a non-empty list of asymmetric JWS algorithms');
  }
  const jwks = createRemoteJWKSet(new URL(options.jwksUri ?? `${issuer.replace(/\/$/, '')}/oidc/jwks`));

  async function verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, jwks, {
      issuer, audience, algorithms, typ: 'at+jwt', clockTolerance, requiredClaims: ['exp', 'iat', 'sub'],
    });
    return payload;
  }

  function allows(payload: JWTPayload, method: string, path: string): boolean {
    return permits(payload[permissionsClaim], method, path);
  }

  function middleware(): GuardMiddleware {
    return (req, res, next) => {
      const token = bearerToken(req);
      if (!token) return refuse(res, 401, 'missing_token', 'a Bearer access token is required');
      verify(token).then((payload) => {
        if (!allows(payload, req.method ?? 'GET', req.originalUrl ?? req.url ?? '/')) {
          return refuse(res, 403, 'insufficient_scope', 'the token does not permit this request');
        }
        req.auth = payload;
        next();
      }, (error: unknown) => {
        // A JWKS that cannot be fetched (network, timeout, non-200, not a JWKS) is the issuer's
        // trouble, not the token's.
        if (!(error instanceof errors.JOSEError) || error instanceof errors.JWKSTimeout
          || error instanceof errors.JWKSInvalid || error.constructor === errors.JOSEError) {
          return refuse(res, 503, 'temporarily_unavailable', 'the issuer keys cannot be fetched');
        }
        refuse(res, 401, 'invalid_token', 'the access token is invalid, expired or not for this service');
      });
    };
  }

  return { verify, allows, middleware };
}
