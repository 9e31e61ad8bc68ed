// Users of a tenant:
//   GET    /users            search `q` (username, email or name, any case), `status`, `group`; by username
//   POST   /users            201; an optional initial password under the tenant's password policy
//   GET    /users/{id}
//   PATCH  /users/{id}       email, username, name, status, emailVerified, attributes (null removes one)
//   DELETE /users/{id}       204; credentials, sessions, links and memberships go with the user
// Credentials, sessions, linked identities and groups of a user: user-credentials.ts,
// user-sessions.ts, user-links.ts.
// Rules: a password is never answered nor audited; a username or email another user has → 409
// user_exists; a status change of an account awaiting approval → 409 approval_pending (decide it
// through /approvals); leaving `active` and deleting end the user's sessions as a logout does
// (end-sessions.ts); PATCH and DELETE honour If-Match.
import { z } from 'zod';
import { searchUsers, createUser, deleteUser, updateUser, UserConflictError, UserInputError } from '../../../../core/accounts/users.ts';
import { findApprovalForUser } from '../../../../core/registration/approvals.ts';
import { HttpError } from '../../../http-error.ts';
import { withSessionsEnded } from '../end-sessions.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { IdParams } from '../schemas.ts';
import { operations as credentials } from './user-credentials.ts';
import { operations as links } from './user-links.ts';
import { operations as sessions } from './user-sessions.ts';
import { checkPasswordPolicy, NameCursor, UserJson, userJson, userOr404, UserStatus } from './user-json.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

const AttributeKey = z.string().max(32);
const AttributeValue = z.string().max(200);
const MAX_ATTRIBUTES = 20;
const fewKeys = (record: Record<string, unknown>) => Object.keys(record).length <= MAX_ATTRIBUTES;

const CreateBody = z.object({
  username: z.string().max(254).optional().describe('Defaults to the email.'),
  email: z.string().max(320).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  status: UserStatus.default('active'),
  emailVerified: z.boolean().optional(),
  password: z.string().max(256).optional().describe('Initial password, under the tenant\'s password policy. Never answered.'),
  attributes: z.record(AttributeKey, AttributeValue).refine(fewKeys, `at most ${MAX_ATTRIBUTES} attributes`).optional(),
}).strict();

const PatchBody = z.object({
  username: z.string().max(254).optional(),
  email: z.string().max(320).nullable().optional().describe('A new email is unverified unless emailVerified says otherwise.'),
  emailVerified: z.boolean().optional(),
  name: z.string().trim().min(1).max(200).nullable().optional(),
  status: UserStatus.optional().describe('Leaving active ends the user\'s sessions.'),
  attributes: z.record(AttributeKey, AttributeValue.nullable()).refine(fewKeys, `at most ${MAX_ATTRIBUTES} attributes`).optional()
    .describe('Merged into the profile attributes; null removes one.'),
}).strict();

/** @throws HttpError 400 / 409 for the core's refusals; anything else unchanged. */
function userHttpError(err: unknown): unknown {
  if (err instanceof UserConflictError) return new HttpError(409, 'user_exists', 'A user with this username or email already exists.');
  if (err instanceof UserInputError) return new HttpError(400, 'invalid_request', `body: ${err.message}`);
  return err;
}

export const operations: Operation[] = [
  defineOperation({
    id: 'users.list', method: 'GET', path: '/users', scope: 'tenant', tag: 'users', summary: 'Users, by username',
    access: read,
    query: ListQuery.extend({
      q: z.string().trim().min(1).max(200).optional().describe('Part of the username, email or name (any case).'),
      status: UserStatus.optional(),
      group: z.string().min(1).max(200).optional().describe('Members of this group (id or name) only.'),
    }),
    response: z.object({ items: z.array(UserJson), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, NameCursor)?.after;
      const rows = await searchUsers(db, tenant, { q: query.q, status: query.status, group: query.group, after, limit: query.limit + 1 });
      return page(rows, query.limit, (u) => ({ after: u.username }), userJson);
    },
  }),
  defineOperation({
    id: 'users.create', method: 'POST', path: '/users', scope: 'tenant', tag: 'users', summary: 'Create a user',
    access: write, body: CreateBody, response: UserJson, status: 201,
    async run(ctx, { body }) {
      if (body.username === undefined && body.email === undefined) throw new HttpError(400, 'invalid_request', 'body: a username or an email is required.');
      if (body.password !== undefined) await checkPasswordPolicy(ctx.db, ctx.tenant, body.password, body.email);
      try {
        const user = await createUser(ctx.db, ctx.tenant, body);
        ctx.note({ subject: user.id, data: { username: user.username, status: user.status, password: body.password !== undefined } });
        return userJson(user);
      } catch (err) {
        throw userHttpError(err);
      }
    },
  }),
  defineOperation({
    id: 'users.get', method: 'GET', path: '/users/{id}', scope: 'tenant', tag: 'users', summary: 'One user',
    access: read, params: IdParams, response: UserJson, etagOf: 'users.get',
    async run({ db, tenant }, { params }) {
      return userJson(await userOr404(db, tenant, params.id));
    },
  }),
  defineOperation({
    id: 'users.update', method: 'PATCH', path: '/users/{id}', scope: 'tenant', tag: 'users',
    summary: 'Change a user (only the fields sent)', access: write, params: IdParams, body: PatchBody, response: UserJson, etagOf: 'users.get',
    async run(ctx, { params, body }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      if (body.status !== undefined && body.status !== user.status && (await findApprovalForUser(ctx.db, ctx.tenant, user.id))?.status === 'pending') {
        throw new HttpError(409, 'approval_pending', 'This account awaits approval: approve or reject it through /approvals.');
      }
      try {
        const updated = await withSessionsEnded(ctx, ctx.tenant, user.id, () => updateUser(ctx.db, ctx.tenant, user.id, body),
          (u) => u !== undefined && user.status === 'active' && u.status !== 'active');
        if (!updated) throw new HttpError(404, 'not_found', 'No such user.');
        ctx.note({ data: { changed: Object.keys(body).sort(), ...(body.status && body.status !== user.status ? { status: body.status } : {}) } });
        return userJson(updated);
      } catch (err) {
        throw userHttpError(err);
      }
    },
  }),
  defineOperation({
    id: 'users.delete', method: 'DELETE', path: '/users/{id}', scope: 'tenant', tag: 'users',
    summary: 'Delete a user and everything that hangs off them (their sessions end as on logout)',
    access: write, params: IdParams, response: z.void(), status: 204, etagOf: 'users.get',
    async run(ctx, { params }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      await withSessionsEnded(ctx, ctx.tenant, user.id, () => deleteUser(ctx.db, ctx.tenant, user.id));
      ctx.note({ data: { username: user.username } });
    },
  }),
  ...credentials,
  ...sessions,
  ...links,
];
