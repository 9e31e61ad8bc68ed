// From an interaction's authorization parameters to what Tessera's core works with (pure):
// the AuthRequest a journey carries (DESIGN.md §1), the ACRs the client wants, and whether a
// browser's core SSO session can answer the request without a new sign-in. A login_hint with
// control characters is dropped (OIDC: the hint is optional; an unusable one is ignored).
import { decodeJwt } from 'jose';
import { isCleanText } from '../../../core/infra/clean-text.ts';
import type { AuthRequest } from '../../../core/journeys/journey-types.ts';

/** Authorization parameters as oidc-provider keeps them in an interaction (strings). */
export type AuthParams = Record<string, unknown>;

export interface ParsedAuthRequest extends AuthRequest {
  /** acr_values, then the ACRs an essential `acr` claim request names. */
  wantedAcrs: string[];
  /** The `sub` an id_token_hint names (the provider has verified the hint). */
  hintedSubject?: string;
}

const text = (value: unknown, max = 1000) => (typeof value === 'string' && value.length <= max ? value : undefined);
const words = (value: unknown) => text(value)?.split(' ').filter(Boolean) ?? [];

function essentialAcrs(claims: unknown): string[] {
  try {
    const acr = (JSON.parse(text(claims, 8000) ?? '{}') as { id_token?: { acr?: { essential?: boolean; value?: unknown; values?: unknown } } }).id_token?.acr;
    if (!acr?.essential) return [];
    const values = Array.isArray(acr.values) ? acr.values : [acr.value];
    return values.filter((v): v is string => typeof v === 'string');
  } catch {
    return [];
  }
}

function subjectOf(idTokenHint: unknown): string | undefined {
  const hint = text(idTokenHint, 8000);
  if (!hint) return undefined;
  try {
    const sub = decodeJwt(hint).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

export function parseAuthRequest(params: AuthParams, clientName?: string): ParsedAuthRequest {
  const maxAge = text(params.max_age);
  const acrValues = words(params.acr_values);
  // A hint is only a hint: one that could not be a login (control characters) is ignored.
  const hint = text(params.login_hint, 254)?.trim();
  const loginHint = hint !== undefined && isCleanText(hint) ? hint : undefined;
  const prompt = words(params.prompt);
  const hintedSubject = subjectOf(params.id_token_hint);
  return {
    clientId: String(params.client_id),
    ...(clientName ? { clientName: clientName.slice(0, 200) } : {}),
    ...(loginHint ? { loginHint } : {}),
    ...(prompt.length ? { prompt } : {}),
    ...(acrValues.length ? { acrValues } : {}),
    ...(maxAge !== undefined && /^\d{1,10}$/.test(maxAge) ? { maxAge: Number(maxAge) } : {}),
    wantedAcrs: [...new Set([...acrValues, ...essentialAcrs(params.claims)])],
    ...(hintedSubject ? { hintedSubject } : {}),
  };
}

/** The browser's core SSO session, as far as a login decision needs it. */
export interface SessionFacts {
  userId: string;
  acr: string | null;
  authTime: Date;
}

export interface LoginFacts {
  /** Who the login_hint names: a user id, null for nobody, undefined when there is no hint. */
  hintedUser?: string | null;
  /** The tree that achieves one of the wanted ACRs, if any. */
  acrTree?: string;
  now: number;
}

/**
 * - `reuse`: the session answers the request (no prompt=login, max_age not exceeded, login_hint
 *   and id_token_hint name its user, its ACR is one wanted, or none wanted is achievable);
 * - `step-up`: same user, but the session's ACR is too weak: run the ACR's tree for it;
 * - `login`: someone has to sign in.
 */
export function decideLogin(request: ParsedAuthRequest, session: SessionFacts | undefined, facts: LoginFacts): 'reuse' | 'step-up' | 'login' {
  if (!session) return 'login';
  if (request.prompt?.includes('login')) return 'login';
  if (request.maxAge !== undefined && facts.now - session.authTime.getTime() > request.maxAge * 1000) return 'login';
  if (facts.hintedUser !== undefined && facts.hintedUser !== session.userId) return 'login';
  if (request.hintedSubject !== undefined && request.hintedSubject !== session.userId) return 'login';
  if (acrUnmet(request, session, facts)) return 'step-up';
  return 'reuse';
}

/** The session's ACR is not one wanted, and a tree could achieve one that is. */
export function acrUnmet(request: ParsedAuthRequest, session: SessionFacts, facts: Pick<LoginFacts, 'acrTree'>): boolean {
  return request.wantedAcrs.length > 0 && facts.acrTree !== undefined && !request.wantedAcrs.includes(session.acr ?? '');
}

/**
 * After a journey: does the (new) session meet what made us ask for it? prompt=login and
 * max_age need an authentication at or after the interaction began (`since`, epoch seconds).
 */
export function sessionAnswers(request: ParsedAuthRequest, session: SessionFacts, facts: Pick<LoginFacts, 'acrTree' | 'now'>, since: number): boolean {
  const authSeconds = Math.floor(session.authTime.getTime() / 1000);
  if (request.prompt?.includes('login') && authSeconds < since) return false;
  if (request.maxAge !== undefined && facts.now - session.authTime.getTime() > request.maxAge * 1000) return false;
  return !acrUnmet(request, session, facts);
}
