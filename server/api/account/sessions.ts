// The signed-in user's live sessions:
//   GET    /sessions                { items: [{ id, current, userAgent, acr, amr, authTime, createdAt, lastSeenAt, expiresAt }] }
//   DELETE /sessions/{id}           204: that one ends
//   POST   /sessions/end-others     { ended }: every one but this browser's ends
// Rules: "this device" is the session of the SSO session cookie this browser sent along (same
// origin, path /t/{tenant}), and only when it is the same user's; sessions are named by their
// public id, never the cookie or its hash; ending one does what a logout does (back-channel logout
// of its family, server/api/admin/end-sessions.ts) except for a family this browser's session
// shares, whose relying parties stay signed in here; another user's session is a 404.
import { Router } from 'express';
import { getUserSession, listUserSessions, revokeUserSessions, type SessionRecord } from '../../../core/accounts/sessions.ts';
import { recordAudit } from '../../../core/infra/audit.ts';
import { notFound } from '../../http-error.ts';
import { jsonBody } from '../../middleware/json-body.ts';
import { currentSession } from '../../sso-session.ts';
import { endSessions } from '../admin/end-sessions.ts';
import type { AccountDeps } from './routes.ts';
import { accountOf, param } from './request.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_LISTED = 200;

export function sessionRoutes(deps: AccountDeps): Router {
  const { db, cookies } = deps;
  const router = Router({ mergeParams: true });
  const adminDeps = { db, config: deps.config, temporal: async () => deps.temporal };

  async function thisDevice(req: Parameters<typeof currentSession>[1], tenant: string, userId: string) {
    const session = await currentSession(db, req, tenant, cookies);
    return session?.userId === userId ? session : undefined;
  }

  /** Ends `session` as a logout would, unless it shares this browser's family (then only its row). */
  async function end(tenant: string, userId: string, session: SessionRecord, keepFamily?: string) {
    if (session.ssoId === keepFamily) await revokeUserSessions(db, tenant, userId, session.id);
    else await endSessions(adminDeps, tenant, userId, session);
  }

  router.get('/sessions', async (req, res) => {
    const { tenant, userId } = accountOf(res);
    const [sessions, here] = await Promise.all([listUserSessions(db, tenant, userId, { limit: MAX_LISTED }), thisDevice(req, tenant, userId)]);
    res.json({
      items: sessions.map((s) => ({
        id: s.id, current: s.id === here?.id, userAgent: s.userAgent, acr: s.acr, amr: s.amr,
        authTime: s.authTime, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, expiresAt: s.expiresAt,
      })),
    });
  });

  router.delete('/sessions/:id', async (req, res) => {
    const { tenant, userId } = accountOf(res);
    const id = param(req, 'id', 64);
    const session = UUID.test(id) ? await getUserSession(db, tenant, userId, id) : undefined;
    if (!session) throw notFound('You have no live session with this id.');
    const here = await thisDevice(req, tenant, userId);
    await end(tenant, userId, session, here && here.id !== session.id ? here.ssoId : undefined);
    await recordAudit(db, { tenant, type: 'account.session_ended', subject: userId, data: { session: session.id } });
    res.status(204).end();
  });

  router.post('/sessions/end-others', jsonBody, async (req, res) => {
    const { tenant, userId } = accountOf(res);
    const here = await thisDevice(req, tenant, userId);
    const others = (await listUserSessions(db, tenant, userId, { limit: MAX_LISTED })).filter((s) => s.id !== here?.id);
    for (const session of others) await end(tenant, userId, session, here?.ssoId);
    await recordAudit(db, { tenant, type: 'account.sessions_ended', subject: userId, data: { ended: others.length } });
    res.json({ ended: others.length });
  });

  return router;
}
