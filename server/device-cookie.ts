// A long-lived random device id (HttpOnly cookie). Journeys carry only its sha256, which scopes
// results remembered "in cookie": knowing a user's password on another device does not skip
// their second factor.
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { sha256 } from '../core/accounts/sessions.ts';
import { cookieName, readCookie, setCookie, type CookieSettings } from './cookies.ts';
import { tenantPath } from './api/journeys/browser-binding.ts';

const BASE = 'tessera_device';
const LIFETIME_MS = 400 * 86_400_000;

export function ensureDevice(req: Request, res: Response, tenant: string, s: CookieSettings): string {
  const existing = readCookie(req, cookieName(BASE, s));
  if (existing) return sha256(existing);
  const value = randomBytes(32).toString('base64url');
  setCookie(res, cookieName(BASE, s), value, tenantPath(tenant), s, LIFETIME_MS);
  return sha256(value);
}
