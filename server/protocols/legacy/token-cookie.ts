// The user token a browser was last given, kept in an HttpOnly cookie read only by /login (its
// path), so a later /login in the same SSO session hands the same token to `next` instead of
// minting one per visit. Only the database's sha256 decides whether it is still good.
import type { Request, Response } from 'express';
import { clearCookie, cookieName, readCookie, setCookie, type CookieSettings } from '../../cookies.ts';

const BASE = 'tessera_legacy_token';

function loginPath(tenant: string): string {
  return `/t/${tenant}/login`;
}

export function readTokenCookie(req: Request, s: CookieSettings): string | undefined {
  return readCookie(req, cookieName(BASE, s));
}

export function setTokenCookie(res: Response, tenant: string, token: string, s: CookieSettings, maxAgeMs: number): void {
  setCookie(res, cookieName(BASE, s), token, loginPath(tenant), s, maxAgeMs);
}

export function clearTokenCookie(res: Response, tenant: string, s: CookieSettings): void {
  clearCookie(res, cookieName(BASE, s), loginPath(tenant), s);
}
