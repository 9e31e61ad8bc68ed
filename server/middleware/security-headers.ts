// Headers on every response: a CSP with no inline script or style and no framing, nosniff, no
// referrer, no caching of pages that carry journey state, HSTS when served over https.
import type { RequestHandler } from 'express';

/** The policy; `imageOrigins` adds https origins images may come from (a tenant's logo on the login page). */
export function contentSecurityPolicy(imageOrigins: string[] = []): string {
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", ["img-src 'self' data:", ...imageOrigins].join(' '),
    "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
  ].join('; ');
}

const CSP = contentSecurityPolicy();

export function securityHeaders(https: boolean): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    if (https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
