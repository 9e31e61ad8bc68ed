// Turns a succeeded journey into the core SSO session: one row per journey (the unique journey_id
// makes a repeated request harmless) and a fresh HttpOnly cookie — a new session id after every
// login, never a reused one; the browser's previous session ends at that moment. An `account`
// journey (the account console's changes) keeps the browser's live session of the same user as it
// is (no new sign-in, so its auth_time does not move); it makes a new one only when the change
// ended the old one (a new password ends every session), in the same SSO family.
import type { Request, Response } from 'express';
import type { Db } from '../core/infra/db.ts';
import type { JourneySnapshot } from '../core/journeys/journey-types.ts';
import { createSession, getSession, revokeSession, SESSION_TTL_MS, type Session } from '../core/accounts/sessions.ts';
import { clearCookie, cookieName, readCookie, setCookie, type CookieSettings } from './cookies.ts';
import { tenantPath } from './api/journeys/browser-binding.ts';

const BASE = 'tessera_session';

export async function completeLogin(db: Db, req: Request, res: Response, snapshot: JourneySnapshot, s: CookieSettings): Promise<void> {
  const result = snapshot.result;
  if (snapshot.view.status !== 'succeeded' || !result) return;
  if (snapshot.view.kind === 'account' && (await currentSession(db, req, snapshot.tenant, s))?.userId === result.subject) return;
  const token = await createSession(db, {
    tenant: snapshot.tenant, userId: result.subject, journeyId: snapshot.view.id, ssoId: result.ssoId ?? snapshot.view.id,
    acr: result.acr, amr: result.amr, authTime: new Date(result.authTime), userAgent: req.get('user-agent'),
  });
  if (!token) return;
  const previous = readCookie(req, cookieName(BASE, s));
  if (previous) await revokeSession(db, snapshot.tenant, previous);
  setCookie(res, cookieName(BASE, s), token, tenantPath(snapshot.tenant), s, SESSION_TTL_MS);
}

export async function currentSession(db: Db, req: Request, tenant: string, s: CookieSettings): Promise<Session | undefined> {
  const token = readCookie(req, cookieName(BASE, s));
  return token ? getSession(db, tenant, token) : undefined;
}

/**
 * Ends this browser's core SSO session: revokes its row and clears the cookie. Returns the session
 * that ended (callers end what hangs off it, by its ssoId), or undefined when there was none live.
 */
export async function endSession(db: Db, req: Request, res: Response, tenant: string, s: CookieSettings): Promise<Session | undefined> {
  const token = readCookie(req, cookieName(BASE, s));
  if (!token) return undefined;
  const session = await getSession(db, tenant, token);
  await revokeSession(db, tenant, token);
  clearCookie(res, cookieName(BASE, s), tenantPath(tenant), s);
  return session;
}
