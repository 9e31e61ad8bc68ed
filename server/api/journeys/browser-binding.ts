// Binds journeys to the browser that started them: a random HttpOnly cookie per browser and
// tenant, of which the journey keeps only the sha256. Without the cookie a journey cannot be
// read or driven (404, exactly like an unknown id), so a leaked journey URL is useless.
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { sha256 } from '../../../core/accounts/sessions.ts';
import { cookieName, readCookie, setCookie, type CookieSettings } from '../../cookies.ts';

const BASE = 'tessera_jb';

export function tenantPath(tenant: string): string {
  return `/t/${tenant}/`;
}

/** The binding hash of this browser, if it has the cookie. */
export function bindingOf(req: Request, s: CookieSettings): string | undefined {
  const value = readCookie(req, cookieName(BASE, s));
  return value ? sha256(value) : undefined;
}

/** The binding hash of this browser, creating the cookie when it has none. */
export function ensureBinding(req: Request, res: Response, tenant: string, s: CookieSettings): string {
  const existing = bindingOf(req, s);
  if (existing) return existing;
  const value = randomBytes(32).toString('base64url');
  setCookie(res, cookieName(BASE, s), value, tenantPath(tenant), s);
  return sha256(value);
}
