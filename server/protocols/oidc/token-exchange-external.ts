// Token exchange, service form: a `subject_token` of type jwt issued by an outside party that the
// client's `token_exchange.external` trusts for one subject (e.g. a CI system or a Kubernetes
// service account proving it is that client's workload).
// Rules:
// - The (iss, sub) pair must be configured on the presenting client; the JWT must verify against
//   that entry's keys (inline jwks or jwks_uri) with an asymmetric algorithm (`none` and HMAC are
//   refused before any key is looked at), carry exp (and satisfy nbf), and be addressed to this
//   tenant: `aud` the tenant's issuer or the client_id, or the entry's `audience` when one is set.
// - Any failure is invalid_grant; the token's content is never echoed.
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { z } from 'zod';
import type { TokenExchangeSettings } from '../../../core/oidc/oidc-clients.ts';

type ExternalIssuer = NonNullable<z.infer<typeof TokenExchangeSettings>['external']>[number] & { audience?: string };

export const EXTERNAL_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

const CLOCK_TOLERANCE_S = 30;
const remoteSets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keysOf(entry: ExternalIssuer) {
  if (entry.jwks) return createLocalJWKSet(entry.jwks as unknown as JSONWebKeySet);
  const uri = entry.jwks_uri!;
  let set = remoteSets.get(uri);
  if (!set) {
    if (remoteSets.size >= 200) remoteSets.clear();
    set = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000 });
    remoteSets.set(uri, set);
  }
  return set;
}

export interface ExternalSubject { issuer: string; subject: string }

/** @throws errors.InvalidGrant when the JWT is not one this client trusts. */
export async function externalSubject(ctx: KoaContextWithOIDC, trusted: readonly ExternalIssuer[], value: string): Promise<ExternalSubject> {
  const refuse = (why: string) => new errors.InvalidGrant(`subject_token ${why}`);
  let alg: unknown;
  let claims: Record<string, unknown>;
  try {
    alg = decodeProtectedHeader(value).alg;
    claims = decodeJwt(value);
  } catch {
    throw refuse('is not a signed JWT');
  }
  if (typeof alg !== 'string' || !EXTERNAL_ALGORITHMS.includes(alg)) throw refuse('uses an algorithm that is not accepted');
  const entry = trusted.find((e) => e.issuer === claims.iss && e.subject === claims.sub);
  if (!entry) throw refuse('is not from an issuer and subject this client trusts');
  const client = ctx.oidc.client!;
  try {
    await jwtVerify(value, keysOf(entry), {
      issuer: entry.issuer, subject: entry.subject, algorithms: EXTERNAL_ALGORITHMS,
      audience: entry.audience ?? [ctx.oidc.provider.issuer, client.clientId],
      requiredClaims: ['exp'], clockTolerance: CLOCK_TOLERANCE_S,
    });
  } catch {
    throw refuse('could not be verified (signature, audience or lifetime)');
  }
  return { issuer: entry.issuer, subject: entry.subject };
}
