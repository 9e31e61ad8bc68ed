// Rate limits on starting journeys: through the Journey API (POST /t/{tenant}/api/journeys), and
// from the protocols that start one for a browser (OIDC interactions, SAML SSO, legacy login).
// Rules:
// - every start counts against its address (IPv6: the /64) and against the tenant; a start of a
//   registration journey (kind or tree "registration") also counts as a signup, per address and
//   per tenant (limits and windows: core/infra/rate-limit-settings.ts, per tenant);
// - over a limit: 429 with Retry-After (seconds), before any journey starts: the Journey API's
//   JSON error, or for a protocol's browser a page saying when to try again; per-address limits are counted first, and a start refused there does not
//   count against the tenant's limits (one address cannot use them up for everyone);
// - counters live in PostgreSQL (core/infra/rate-limit.ts): every replica sees the same counts.
import type { NextFunction, Request, Response } from 'express';
import { ipBucket } from '../../core/accounts/throttle.ts';
import type { Db } from '../../core/infra/db.ts';
import { hitInOrder, limitKey } from '../../core/infra/rate-limit.ts';
import { getRateLimits, ruleOf, type RateLimitName } from '../../core/infra/rate-limit-settings.ts';
import { escapeHtml, pageHtml } from '../html-page.ts';
import { HttpError } from '../http-error.ts';

export class RateLimited extends HttpError {
  readonly retryAfterS: number;

  constructor(retryAfterS: number) {
    super(429, 'rate_limited', 'Too many requests. Try again later.');
    this.retryAfterS = retryAfterS;
  }
}

/**
 * Counts one hit of each limit in order, stopping at the first one exceeded (so a refused
 * address does not use up its tenant's limit for everyone else): one statement for them all.
 * @throws RateLimited with the wait that limit asks for.
 */
export async function enforceLimits(db: Db, tenant: string, hits: [RateLimitName, string][]): Promise<void> {
  const settings = await getRateLimits(db, tenant);
  const results = await hitInOrder(db, tenant, hits.map(([name, subject]) => ({ key: limitKey(name, subject), rule: ruleOf(settings, name) })));
  const refused = results.find((r) => !r.allowed);
  if (refused) throw new RateLimited(refused.retryAfterS);
}

function isRegistration(body: unknown): boolean {
  const { kind, tree } = (body ?? {}) as { kind?: unknown; tree?: unknown };
  return kind === 'registration' || tree === 'registration';
}

export function limitJourneyStarts(db: Db) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const tenant = req.tenant!.id;
    const address = ipBucket(req.ip ?? 'unknown');
    const signup = isRegistration(req.body);
    const hits: [RateLimitName, string][] = [
      ['journeyStartsPerAddress', address], ...(signup ? [['signupsPerAddress', address] as [RateLimitName, string]] : []),
      ['journeyStartsPerTenant', '*'], ...(signup ? [['signupsPerTenant', '*'] as [RateLimitName, string]] : []),
    ];
    try {
      await enforceLimits(db, tenant, hits);
    } catch (err) {
      if (err instanceof RateLimited) res.set('Retry-After', String(err.retryAfterS));
      throw err;
    }
    next();
  };
}

/**
 * For a protocol about to start a login journey for a browser: counts the start, and when a
 * limit is exceeded answers 429 with Retry-After and a page instead. True when it answered.
 */
export async function journeyStartRefused(db: Db, req: Request, res: Response): Promise<boolean> {
  const tenant = req.tenant!.id;
  const address = ipBucket(req.ip ?? 'unknown');
  try {
    await enforceLimits(db, tenant, [['journeyStartsPerAddress', address], ['journeyStartsPerTenant', '*']]);
    return false;
  } catch (err) {
    if (!(err instanceof RateLimited)) throw err;
    const minutes = Math.max(1, Math.ceil(err.retryAfterS / 60));
    res.status(429).set('Retry-After', String(err.retryAfterS)).type('html').send(pageHtml({
      tenant, title: 'Too many sign-in attempts',
      body: `<div class="status status-neutral"><p class="status-text">${escapeHtml(`Too many sign-ins were started from here. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`)}</p></div>`,
    }));
    return true;
  }
}
