// Cookie names and attributes in one place. HttpOnly always; SameSite=Lax so a top-level
// navigation back from another site keeps the session but cross-site POSTs do not carry it;
// Secure (and the __Secure- prefix) whenever PUBLIC_URL is https.
import type { Request, Response } from 'express';

export interface CookieSettings { secure: boolean }

export function cookieName(base: string, s: CookieSettings): string {
  return s.secure ? `__Secure-${base}` : base;
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function setCookie(res: Response, name: string, value: string, path: string, s: CookieSettings, maxAgeMs?: number): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure: s.secure, path, ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) });
}

export function clearCookie(res: Response, name: string, path: string, s: CookieSettings): void {
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: s.secure, path });
}
