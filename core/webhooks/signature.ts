// The signature of a webhook delivery, as Stripe does it: header
//   Tessera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the webhook's secret>
// The timestamp is signed with the body, so a receiver that checks it (verifySignature's tolerance)
// refuses a delivery replayed later; the event id (Tessera-Event-Id) lets it drop a repeat.
// Rules: verification compares in constant time and accepts any v1 of the header (several while
// a secret is being rotated); a malformed header is simply not valid, never an exception.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Tessera-Signature';
export const EVENT_ID_HEADER = 'Tessera-Event-Id';
export const EVENT_TYPE_HEADER = 'Tessera-Event-Type';

/** Five minutes either way, as Stripe's libraries default to. */
export const DEFAULT_TOLERANCE_S = 300;

export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** One v1 per secret: the current one first, then a rotated-out one still in its grace period. */
export function signatureHeader(secrets: string | string[], timestamp: number, body: string): string {
  const all = typeof secrets === 'string' ? [secrets] : secrets;
  return [`t=${timestamp}`, ...all.map((s) => `v1=${signPayload(s, timestamp, body)}`)].join(',');
}

export interface ParsedSignature { timestamp: number; signatures: string[] }

/** The header's parts, or undefined when it is not `t=<digits>,v1=<hex>[,v1=...]`. */
export function parseSignatureHeader(header: string): ParsedSignature | undefined {
  if (header.length > 2000) return undefined;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value, ...rest] = part.trim().split('=');
    if (rest.length || value === undefined) return undefined;
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  return timestamp === undefined || !signatures.length ? undefined : { timestamp, signatures };
}

export interface VerifyOptions { toleranceS?: number; nowS?: number }

/** Whether `header` signs `body` with `secret` at a time within the tolerance of now. */
export function verifySignature(secret: string, header: string, body: string, options: VerifyOptions = {}): boolean {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return false;
  const now = options.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - parsed.timestamp) > (options.toleranceS ?? DEFAULT_TOLERANCE_S)) return false;
  const expected = Buffer.from(signPayload(secret, parsed.timestamp, body), 'hex');
  return parsed.signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
