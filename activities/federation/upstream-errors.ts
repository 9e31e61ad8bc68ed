// Turns whatever failed while talking to an upstream IdP into an UpstreamError: a short code for
// the audit log and a fixed message safe to show. Rules: the message is chosen from the table
// below, never built from the failure; openid-client's errors carry response bodies, token
// claims and callback parameters in their `cause`, so none of it is kept (no `cause`, no text).
import { UpstreamError } from '../../core/federation/federation-types.ts';
import { ResponseTooLarge } from './upstream-http.ts';

export const UPSTREAM_MESSAGES = {
  access_denied: 'The sign-in was cancelled or refused at the identity provider.',
  upstream_error: 'The identity provider could not sign you in.',
  invalid_state: 'This sign-in response does not belong to this sign-in. Please start again.',
  iss_mismatch: 'This sign-in response comes from another identity provider.',
  missing_code: 'The identity provider did not return an authorization code.',
  config_changed: 'The identity provider was reconfigured during the sign-in. Please start again.',
  invalid_config: 'The identity provider is not configured correctly.',
  discovery_error: 'The identity provider\'s configuration could not be read.',
  upstream_unreachable: 'The identity provider could not be reached. Please try again later.',
  response_too_large: 'The identity provider sent a response that is too large.',
  token_error: 'The identity provider did not accept the sign-in.',
  invalid_nonce: 'The identity provider\'s answer does not belong to this sign-in.',
  invalid_id_token: 'The identity provider\'s ID token is not valid.',
  invalid_tenant: 'This account\'s organisation is not admitted by this identity provider.',
  userinfo_error: 'The user\'s details could not be read from the identity provider.',
  userinfo_sub_mismatch: 'The identity provider returned details of another user.',
  no_subject: 'The identity provider did not identify the user.',
} as const;

export type UpstreamErrorCode = keyof typeof UPSTREAM_MESSAGES;

export function upstreamError(code: UpstreamErrorCode): UpstreamError {
  return new UpstreamError(code, UPSTREAM_MESSAGES[code]);
}

/** An upstream's own `error` value as an audit code: OAuth error codes are [a-z_]; anything else is generic. */
export function callbackError(error: string): UpstreamError {
  if (error === 'access_denied') return upstreamError('access_denied');
  const code = /^[a-z][a-z0-9_]{0,63}$/.test(error) ? error : 'upstream_error';
  return new UpstreamError(code, UPSTREAM_MESSAGES.upstream_error);
}

type Step = 'discovery' | 'token' | 'userinfo';

interface Link { name?: unknown; code?: unknown; message?: unknown; claim?: unknown; attribute?: unknown; header?: unknown; error?: unknown; cause?: unknown }

function chain(err: unknown): Link[] {
  const links: Link[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    links.push(current as Link);
    current = (current as Link).cause;
  }
  return links;
}

const NETWORK_CODES = new Set(['OAUTH_TIMEOUT', 'OAUTH_ABORT', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']);

function isNetwork(link: Link): boolean {
  return link.name === 'TimeoutError' || link.name === 'AbortError' || NETWORK_CODES.has(String(link.code))
    || (link.name === 'TypeError' && link.message === 'fetch failed');
}

/** The UpstreamError for a failure at `step` (an UpstreamError passes through unchanged). */
export function upstreamFailure(step: Step, err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const links = chain(err);
  if (links.some((l) => l instanceof ResponseTooLarge)) return upstreamError('response_too_large');
  if (links.some(isNetwork)) return upstreamError('upstream_unreachable');
  if (step === 'discovery') return upstreamError('discovery_error');
  if (step === 'userinfo') return upstreamError(links.some((l) => l.attribute === 'sub') ? 'userinfo_sub_mismatch' : 'userinfo_error');
  // The token endpoint answered with an OAuth error (invalid_grant: a replayed or foreign code).
  if (links.some((l) => l.name === 'ResponseBodyError' || typeof l.error === 'string')) return upstreamError('token_error');
  if (links.some((l) => l.claim === 'nonce')) return upstreamError('invalid_nonce');
  const aboutIdToken = links.some((l) => l.claim !== undefined || l.header !== undefined
    || /JWT|ID Token|JWS|signature|verification key/i.test(String(l.message ?? '')));
  return upstreamError(aboutIdToken ? 'invalid_id_token' : 'token_error');
}
