// What a user is linked to: upstream identities and groups.
//   GET    /users/{id}/identities            the upstream accounts (IdP alias, subject) that sign in as the user
//   DELETE /users/{id}/identities/{idp}      204: unlink
//   GET    /users/{id}/groups                by name
//   PUT    /users/{id}/groups/{groupId}      204: add (harmless when already a member)
//   DELETE /users/{id}/groups/{groupId}      204: remove (404 when not a member)
// Rules: a role group's members change through /roles only (409 role_group), as in groups.ts.
import { z } from 'zod';
import { addMember, GroupRoleError, listUserGroups, removeMember } from '../../../../core/accounts/groups.ts';
import { listUserLinks, unlinkIdentity } from '../../../../core/federation/federated-identities.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { IdParams, Timestamp } from '../schemas.ts';
import { GroupJson, groupJson, groupOr404, NameCursor, userOr404 } from './user-json.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

const IdentityJson = z.object({
  idp: z.string().describe('The upstream IdP\'s alias (/idps).'), subject: z.string().describe('The user\'s stable id at that IdP.'),
  email: z.string().nullable(), createdAt: Timestamp, lastLoginAt: Timestamp.nullable(),
});
const MembershipParams = IdParams.extend({ groupId: z.string().min(1).max(200) });

/** @throws HttpError 409 role_group for a GroupRoleError; anything else unchanged. */
export function roleGroupError(err: unknown): unknown {
  if (err instanceof GroupRoleError) return new HttpError(409, 'role_group', 'This group carries an admin role: change its members through /roles.');
  return err;
}

export const operations: Operation[] = [
  defineOperation({
    id: 'users.list-identities', method: 'GET', path: '/users/{id}/identities', scope: 'tenant', tag: 'users',
    summary: 'Upstream accounts linked to the user (one per IdP at most)', access: read, params: IdParams,
    response: z.object({ items: z.array(IdentityJson), next: z.null() }),
    async run({ db, tenant }, { params }) {
      const user = await userOr404(db, tenant, params.id);
      const links = await listUserLinks(db, tenant, user.id);
      return { items: links.map((l) => ({ idp: l.idp, subject: l.subject, email: l.email, createdAt: l.createdAt, lastLoginAt: l.lastLoginAt })), next: null };
    },
  }),
  defineOperation({
    id: 'users.unlink-identity', method: 'DELETE', path: '/users/{id}/identities/{idp}', scope: 'tenant', tag: 'users',
    summary: 'Unlink an upstream account from the user', access: write,
    params: IdParams.extend({ idp: z.string().min(1).max(63) }), response: z.void(), status: 204,
    async run(ctx, { params }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      if (!(await unlinkIdentity(ctx.db, ctx.tenant, params.idp, user.id))) throw notFound('The user has no identity at this IdP.');
      ctx.note({ data: { idp: params.idp } });
    },
  }),
  defineOperation({
    id: 'users.list-groups', method: 'GET', path: '/users/{id}/groups', scope: 'tenant', tag: 'users',
    summary: 'The groups the user is in, by name', access: read, params: IdParams, query: ListQuery,
    response: z.object({ items: z.array(GroupJson), next: z.string().nullable() }),
    async run({ db, tenant }, { params, query }) {
      const user = await userOr404(db, tenant, params.id);
      const after = decodeCursor(query.cursor, NameCursor)?.after;
      const rows = await listUserGroups(db, tenant, user.id, { after, limit: query.limit + 1 });
      return page(rows, query.limit, (g) => ({ after: g.name }), groupJson);
    },
  }),
  defineOperation({
    id: 'users.add-group', method: 'PUT', path: '/users/{id}/groups/{groupId}', scope: 'tenant', tag: 'users',
    summary: 'Add the user to a group', access: write, params: MembershipParams, response: z.void(), status: 204,
    async run(ctx, { params }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      const group = await groupOr404(ctx.db, ctx.tenant, params.groupId);
      const added = await addMember(ctx.db, ctx.tenant, group, user.id).catch((err) => { throw roleGroupError(err); });
      ctx.note({ data: { group: group.name, added } });
    },
  }),
  defineOperation({
    id: 'users.remove-group', method: 'DELETE', path: '/users/{id}/groups/{groupId}', scope: 'tenant', tag: 'users',
    summary: 'Remove the user from a group', access: write, params: MembershipParams, response: z.void(), status: 204,
    async run(ctx, { params }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      const group = await groupOr404(ctx.db, ctx.tenant, params.groupId);
      const removed = await removeMember(ctx.db, ctx.tenant, group, user.id).catch((err) => { throw roleGroupError(err); });
      if (!removed) throw notFound('The user is not a member of this group.');
      ctx.note({ data: { group: group.name } });
    },
  }),
];
