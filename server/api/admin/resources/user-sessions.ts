// A user's live core SSO sessions:
//   GET    /users/{id}/sessions               newest first
//   DELETE /users/{id}/sessions               204: every one ends
//   DELETE /users/{id}/sessions/{sessionId}   204: that one ends
// Rules: a session is named by its public id (migration 012), never by its cookie or the cookie's
// hash; ending a session does what a logout does (end-sessions.ts: back-channel logout to the
// relying parties, then the row is revoked); an ended, expired or unknown session → 404.
import { z } from 'zod';
import { getUserSession, listUserSessions } from '../../../../core/accounts/sessions.ts';
import { notFound } from '../../../http-error.ts';
import { endSessions } from '../end-sessions.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { IdParams, isUuid, Timestamp } from '../schemas.ts';
import { userOr404 } from './user-json.ts';

const SessionJson = z.object({
  id: z.uuid(), acr: z.string().nullable(), amr: z.array(z.string()),
  authTime: Timestamp, createdAt: Timestamp, lastSeenAt: Timestamp, expiresAt: Timestamp,
});
const Cursor = z.object({ at: z.string().max(64), id: z.uuid() });
const SessionParams = IdParams.extend({ sessionId: z.string().min(1).max(200) });

export const operations: Operation[] = [
  defineOperation({
    id: 'users.list-sessions', method: 'GET', path: '/users/{id}/sessions', scope: 'tenant', tag: 'users',
    summary: 'The user\'s live sessions, newest first', access: { area: 'manage', write: false }, params: IdParams, query: ListQuery,
    response: z.object({ items: z.array(SessionJson), next: z.string().nullable() }),
    async run({ db, tenant }, { params, query }) {
      const user = await userOr404(db, tenant, params.id);
      const after = decodeCursor(query.cursor, Cursor);
      const rows = await listUserSessions(db, tenant, user.id, { after, limit: query.limit + 1 });
      return page(rows, query.limit, (s) => s.cursor, (s) => ({
        id: s.id, acr: s.acr, amr: s.amr, authTime: s.authTime, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, expiresAt: s.expiresAt,
      }));
    },
  }),
  defineOperation({
    id: 'users.end-sessions', method: 'DELETE', path: '/users/{id}/sessions', scope: 'tenant', tag: 'users',
    summary: 'End every session of the user (as a logout would)', access: { area: 'manage', write: true }, params: IdParams,
    response: z.void(), status: 204,
    async run(ctx, { params }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      ctx.note({ data: { sessionsEnded: await endSessions(ctx, ctx.tenant, user.id) } });
    },
  }),
  defineOperation({
    id: 'users.end-session', method: 'DELETE', path: '/users/{id}/sessions/{sessionId}', scope: 'tenant', tag: 'users',
    summary: 'End one session of the user (as a logout would)', access: { area: 'manage', write: true }, params: SessionParams,
    response: z.void(), status: 204,
    async run(ctx, { params }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      const session = isUuid(params.sessionId) ? await getUserSession(ctx.db, ctx.tenant, user.id, params.sessionId) : undefined;
      if (!session) throw notFound('No such live session.');
      await endSessions(ctx, ctx.tenant, user.id, session);
      ctx.note({ data: { session: session.id } });
    },
  }),
];
