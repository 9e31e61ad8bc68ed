// GET /t/{tenant}/login?next=URL[&renew][&force] — the legacy (Astakos-compatible) login.
// Rules:
// - `next` is checked against the tenant's allowlist (core/legacy/legacy-allowlist.ts) before anything
//   else: a refused request changes nothing and is answered with an error, never a redirect;
// - `force` ends the browser's core SSO session, and the user tokens it gave out, first;
// - with a live core session: 302 to `next` with `user` (email) and `token`; the token is the one
//   this browser already holds for this user and session unless `renew` (which revokes them all
//   and issues a new one);
// - without one: a login journey bound to this browser whose success returns here (without
//   `force`, so the new session is not ended again), and a 303 to the login UI.
import type { Request, RequestHandler, Response } from 'express';
import { recordAudit } from '../../../core/infra/audit.ts';
import { checkNext, withLoginParams } from '../../../core/legacy/legacy-allowlist.ts';
import { getLegacyPolicy, type LegacyPolicy } from '../../../core/legacy/legacy-settings.ts';
import { isReusable, issueUserToken, revokeTokensOfSession } from '../../../core/legacy/legacy-tokens.ts';
import type { Session } from '../../../core/accounts/sessions.ts';
import { getUser } from '../../../core/accounts/users.ts';
import { ensureBinding } from '../../api/journeys/browser-binding.ts';
import { newJourneyId } from '../../api/journeys/journey-client.ts';
import { checkJourneyStart } from '../../api/journeys/start-policy.ts';
import { tenantLoginTree } from '../../../core/tenants/login-tree.ts';
import { ensureDevice } from '../../device-cookie.ts';
import { HttpError } from '../../http-error.ts';
import { completeLogin, currentSession, endSession } from '../../sso-session.ts';
import type { LegacyDeps } from './deps.ts';
import { refuse } from './refusal.ts';
import { clearTokenCookie, readTokenCookie, setTokenCookie } from './token-cookie.ts';
import { journeyStartRefused } from '../../middleware/journey-start-limits.ts';
import { journeyLocation } from '../../tenant-ui.ts';

/** Astakos' flags carry no value: present means on. */
function flag(req: Request, name: string): boolean {
  return Object.hasOwn(req.query, name);
}

/** A token for `next`: the browser's own when still good (and not `renew`), else a new one. */
async function tokenFor(deps: LegacyDeps, req: Request, res: Response, session: Session, policy: LegacyPolicy, renew: boolean) {
  const { db, cookies } = deps;
  const held = readTokenCookie(req, cookies);
  if (!renew && held && (await isReusable(db, session.tenant, held, session.userId, session.ssoId))) return { token: held, fresh: false };
  if (renew) await revokeTokensOfSession(db, session.tenant, session.ssoId, session.userId);
  const issued = await issueUserToken(db, session.tenant, session.userId, session.ssoId, policy.tokenTtlMs);
  setTokenCookie(res, session.tenant, issued.token, cookies, policy.tokenTtlMs);
  return { token: issued.token, fresh: true };
}

async function startJourney(deps: LegacyDeps, req: Request, res: Response, tenant: string, returnTo: string): Promise<void> {
  const { db, journeys, cookies, idleTimeoutMs } = deps;
  const tree = await tenantLoginTree(db, tenant);
  const bundle = await checkJourneyStart(db, tenant, 'login', tree);
  if (await journeyStartRefused(db, req, res)) return;
  const snapshot = await journeys.start({
    id: newJourneyId(), tenant, kind: 'login', tree, binding: ensureBinding(req, res, tenant, cookies), idleTimeoutMs, bundle,
    request: { ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 300), returnTo, deviceId: ensureDevice(req, res, tenant, cookies) },
  });
  await completeLogin(db, req, res, snapshot, cookies);
  res.redirect(303, await journeyLocation(db, tenant, snapshot.view.id));
}

export function loginHandler(deps: LegacyDeps): RequestHandler {
  const { db, cookies } = deps;
  return async (req, res) => {
    const tenant = req.tenant!.id;
    const next = req.query.next;
    if (typeof next !== 'string') return refuse(req, res, 400, 'invalid_request', 'The sign-in request needs exactly one "next" address.');
    const policy = await getLegacyPolicy(db, tenant);
    const checked = checkNext(next, policy.allowedNext);
    if (!checked.ok) return refuse(req, res, 400, 'invalid_next', 'The address to return to after sign-in is not one this service may send you to.');
    const renew = flag(req, 'renew');

    if (flag(req, 'force')) {
      const ended = await endSession(db, req, res, tenant, cookies);
      if (ended) {
        await revokeTokensOfSession(db, tenant, ended.ssoId, ended.userId);
        await recordAudit(db, { tenant, type: 'session.ended', actor: `user:${ended.userId}`, subject: ended.userId, data: { by: 'legacy.force' } });
      }
      clearTokenCookie(res, tenant, cookies);
    } else {
      const session = await currentSession(db, req, tenant, cookies);
      const user = session ? await getUser(db, tenant, session.userId) : undefined;
      if (session && user) {
        const { token, fresh } = await tokenFor(deps, req, res, session, policy, renew);
        if (fresh) {
          await recordAudit(db, { tenant, type: 'legacy.token_issued', actor: `user:${user.id}`, subject: user.id, data: { next: checked.url.origin, renew } });
        }
        res.redirect(302, withLoginParams(checked.url, user.email ?? user.username, token));
        return;
      }
    }
    const returnTo = `/t/${tenant}/login?next=${encodeURIComponent(next)}${renew ? '&renew' : ''}`;
    await startJourney(deps, req, res, tenant, returnTo);
  };
}
