// Throttles guessing device-flow user codes (RFC 8628 §5.1). Rules:
// - every wrong code entered at /oidc/device counts against the address it came from (IPv6: its
//   /64), per tenant (deviceCodeFailuresPerAddress in core/infra/rate-limit-settings.ts);
// - once an address has used up its wrong codes, its next code entries are not checked at all:
//   429 with Retry-After and a page saying when to try again, until the window ends;
// - the code and the address are never stored or logged (counters hold a hash).
import type { Request, RequestHandler } from 'express';
import { ipBucket } from '../../../core/accounts/throttle.ts';
import type { Db } from '../../../core/infra/db.ts';
import { hit, limitKey, peek } from '../../../core/infra/rate-limit.ts';
import { getRateLimits, ruleOf } from '../../../core/infra/rate-limit-settings.ts';
import { messagePageHtml, sendPage } from './page.ts';

const keyOf = (ip: string | undefined) => limitKey('deviceCodeFailuresPerAddress', ipBucket(ip ?? 'unknown'));

/** Records one wrong user code entered from `ip`. */
export async function recordWrongUserCode(db: Db, tenant: string, ip: string | undefined): Promise<void> {
  await hit(db, tenant, keyOf(ip), ruleOf(await getRateLimits(db, tenant), 'deviceCodeFailuresPerAddress'));
}

const entersCode = (req: Request) => req.method === 'POST' && req.path === '/oidc/device';

/** Answers 429 to a code entry from an address that entered too many wrong codes. */
export function deviceCodeThrottle(db: Db): RequestHandler {
  return async (req, res, next) => {
    if (!entersCode(req)) return next();
    const tenant = req.tenant!.id;
    const state = await peek(db, tenant, keyOf(req.ip), ruleOf(await getRateLimits(db, tenant), 'deviceCodeFailuresPerAddress'));
    if (state.allowed) return next();
    res.setHeader('Retry-After', String(state.retryAfterS));
    const minutes = Math.max(1, Math.ceil(state.retryAfterS / 60));
    sendPage(res, 429, messagePageHtml(tenant, 'Too many wrong codes',
      `Too many codes entered here were not valid. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`));
  };
}
