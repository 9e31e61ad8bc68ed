// Groups of a tenant (their names are what the `groups` claim carries):
//   GET    /groups                          `q` (part of the name), by name
//   POST   /groups                          { name, description? } → 201
//   GET    /groups/{id}
//   PATCH  /groups/{id}                     { name?, description? } (memberships follow a rename)
//   DELETE /groups/{id}                     204 (memberships go with it)
//   GET    /groups/{id}/members             users, by username
//   PUT    /groups/{id}/members/{userId}    204 (harmless when already a member)
//   DELETE /groups/{id}/members/{userId}    204 (404 when not a member)
// Rules: a name is unique per tenant (409 group_exists) and never starts with `tessera-` (kept for
// role groups); `role` is read-only here: a role group's members change, and it is deleted, only
// through /roles (409 role_group); PATCH and DELETE honour If-Match.
import { z } from 'zod';
import {
  addMember, createGroup, deleteGroup, GroupConflictError, listGroups, listMembers, removeMember, updateGroup,
} from '../../../../core/accounts/groups.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { IdParams } from '../schemas.ts';
import { roleGroupError } from './user-links.ts';
import { GroupJson, groupJson, groupOr404, NameCursor, UserJson, userJson, userOr404 } from './user-json.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

const GroupName = z.string().trim().min(1).max(200)
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'must not contain control characters')
  .refine((name) => !name.toLowerCase().startsWith('tessera-'), 'names starting with "tessera-" are kept for role groups');
const Description = z.string().trim().max(1000);
const MemberParams = IdParams.extend({ userId: z.string().min(1).max(200) });

function groupHttpError(err: unknown): unknown {
  if (err instanceof GroupConflictError) return new HttpError(409, 'group_exists', 'A group with this name already exists.');
  return roleGroupError(err);
}

export const operations: Operation[] = [
  defineOperation({
    id: 'groups.list', method: 'GET', path: '/groups', scope: 'tenant', tag: 'groups', summary: 'Groups, by name', access: read,
    query: ListQuery.extend({ q: z.string().trim().min(1).max(200).optional().describe('Part of the name (any case).') }),
    response: z.object({ items: z.array(GroupJson), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, NameCursor)?.after;
      const rows = await listGroups(db, tenant, { q: query.q, after, limit: query.limit + 1 });
      return page(rows, query.limit, (g) => ({ after: g.name }), groupJson);
    },
  }),
  defineOperation({
    id: 'groups.create', method: 'POST', path: '/groups', scope: 'tenant', tag: 'groups', summary: 'Create a group', access: write,
    body: z.object({ name: GroupName, description: Description.optional() }).strict(), response: GroupJson, status: 201,
    async run(ctx, { body }) {
      try {
        const group = await createGroup(ctx.db, ctx.tenant, body);
        ctx.note({ subject: group.id, data: { name: group.name } });
        return groupJson(group);
      } catch (err) {
        throw groupHttpError(err);
      }
    },
  }),
  defineOperation({
    id: 'groups.get', method: 'GET', path: '/groups/{id}', scope: 'tenant', tag: 'groups', summary: 'One group', access: read,
    params: IdParams, response: GroupJson, etagOf: 'groups.get',
    async run({ db, tenant }, { params }) {
      return groupJson(await groupOr404(db, tenant, params.id));
    },
  }),
  defineOperation({
    id: 'groups.update', method: 'PATCH', path: '/groups/{id}', scope: 'tenant', tag: 'groups',
    summary: 'Rename or describe a group (members follow a rename)', access: write, params: IdParams,
    body: z.object({ name: GroupName.optional(), description: Description.optional() }).strict(), response: GroupJson, etagOf: 'groups.get',
    async run(ctx, { params, body }) {
      const before = await groupOr404(ctx.db, ctx.tenant, params.id);
      try {
        const group = await updateGroup(ctx.db, ctx.tenant, before.id, body);
        if (!group) throw notFound('No such group.');
        ctx.note({ data: { changed: Object.keys(body).sort(), ...(group.name !== before.name ? { from: before.name, to: group.name } : {}) } });
        return groupJson(group);
      } catch (err) {
        throw groupHttpError(err);
      }
    },
  }),
  defineOperation({
    id: 'groups.delete', method: 'DELETE', path: '/groups/{id}', scope: 'tenant', tag: 'groups',
    summary: 'Delete a group (its memberships go with it)', access: write, params: IdParams, response: z.void(), status: 204, etagOf: 'groups.get',
    async run(ctx, { params }) {
      const group = await groupOr404(ctx.db, ctx.tenant, params.id);
      try {
        if (!(await deleteGroup(ctx.db, ctx.tenant, group.id))) throw notFound('No such group.');
      } catch (err) {
        throw groupHttpError(err);
      }
      ctx.note({ data: { name: group.name, members: group.members } });
    },
  }),
  defineOperation({
    id: 'groups.list-members', method: 'GET', path: '/groups/{id}/members', scope: 'tenant', tag: 'groups',
    summary: 'Members of a group, by username', access: read, params: IdParams, query: ListQuery,
    response: z.object({ items: z.array(UserJson), next: z.string().nullable() }),
    async run({ db, tenant }, { params, query }) {
      const group = await groupOr404(db, tenant, params.id);
      const after = decodeCursor(query.cursor, NameCursor)?.after;
      const rows = await listMembers(db, tenant, group, { after, limit: query.limit + 1 });
      return page(rows, query.limit, (u) => ({ after: u.username }), userJson);
    },
  }),
  defineOperation({
    id: 'groups.add-member', method: 'PUT', path: '/groups/{id}/members/{userId}', scope: 'tenant', tag: 'groups',
    summary: 'Add a user to a group', access: write, params: MemberParams, response: z.void(), status: 204,
    async run(ctx, { params }) {
      const group = await groupOr404(ctx.db, ctx.tenant, params.id);
      const user = await userOr404(ctx.db, ctx.tenant, params.userId);
      const added = await addMember(ctx.db, ctx.tenant, group, user.id).catch((err) => { throw groupHttpError(err); });
      ctx.note({ data: { user: user.id, added } });
    },
  }),
  defineOperation({
    id: 'groups.remove-member', method: 'DELETE', path: '/groups/{id}/members/{userId}', scope: 'tenant', tag: 'groups',
    summary: 'Remove a user from a group', access: write, params: MemberParams, response: z.void(), status: 204,
    async run(ctx, { params }) {
      const group = await groupOr404(ctx.db, ctx.tenant, params.id);
      const user = await userOr404(ctx.db, ctx.tenant, params.userId);
      const removed = await removeMember(ctx.db, ctx.tenant, group, user.id).catch((err) => { throw groupHttpError(err); });
      if (!removed) throw notFound('The user is not a member of this group.');
      ctx.note({ data: { user: user.id } });
    },
  }),
];
