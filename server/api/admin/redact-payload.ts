// What the codec server may show of a decoded payload. Journey payloads are encrypted because some
// hold what must never be read back, even by admins: what a user typed (a submit's `values`), a
// TOTP secret being enrolled (nodeState, the QR code), the browser binding and link hashes.
// Rules: those keys are replaced by "[redacted]" wherever they appear, as is any string holding
// an otpauth:// URI; the rest (node ids, outcomes, step titles, error codes) stays readable.

const REDACTED = '[redacted]';
const SECRET_KEYS = new Set(['values', 'binding', 'hash', 'secret', 'password', 'code', 'token', 'nodeState', 'image', 'otpauth', 'client_secret', 'privateKey', 'private_jwk']);
const MAX_DEPTH = 64;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return /otpauth:\/\//i.test(value) ? REDACTED : value;
  if (!value || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? REDACTED : redact(v, depth + 1)]));
}
