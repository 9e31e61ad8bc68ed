// Random bearer secrets (session cookies, admin/service/user tokens, link tokens, invitation
// codes) and how they are stored: 256 random bits, base64url, optionally behind a prefix that
// says what kind of token it is (`tsa_` admin, `tss_` service, `tsu_` user); only the sha256 is
// kept, and a presented token is found by that hash (an index lookup, so no comparison leaks how
// much of a token matched).
import { createHash, randomBytes } from 'node:crypto';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function newSecretToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Whether `text` has the shape of a token made by newSecretToken(prefix): checked before any lookup. */
export function isSecretToken(text: string, prefix = ''): boolean {
  return text.length === prefix.length + 43 && text.startsWith(prefix) && /^[A-Za-z0-9_-]{43}$/.test(text.slice(prefix.length));
}
