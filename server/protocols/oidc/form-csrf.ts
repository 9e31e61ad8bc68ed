// CSRF protection for the forms of the OIDC pages (consent, account choice, logout): a random
// token in an HttpOnly cookie scoped to the tenant's /oidc/ path, repeated in a hidden field
// (double submit), compared in constant time. The cookies are SameSite=Lax as well, so a
// cross-site POST carries neither this one nor the provider's interaction cookie.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { cookieName, readCookie, setCookie, type CookieSettings } from '../../cookies.ts';

const BASE = 'tessera_oidc_csrf';
export const CSRF_FIELD = 'csrf';

const pathFor = (tenant: string) => `/t/${tenant}/oidc/`;

/** The browser's token, issuing one (cookie) when it has none. */
export function csrfToken(req: Request, res: Response, tenant: string, s: CookieSettings): string {
  const existing = readCookie(req, cookieName(BASE, s));
  if (existing) return existing;
  const token = randomBytes(32).toString('base64url');
  setCookie(res, cookieName(BASE, s), token, pathFor(tenant), s);
  return token;
}

/** True when the submitted field repeats this browser's cookie. */
export function csrfValid(req: Request, submitted: unknown, s: CookieSettings): boolean {
  const cookie = readCookie(req, cookieName(BASE, s));
  if (!cookie || typeof submitted !== 'string') return false;
  const a = Buffer.from(cookie);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
