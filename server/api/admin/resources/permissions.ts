// What a group's members may do at an API (core/oidc/group-permissions.ts):
//   GET /groups/{id}/permissions                       the group's entries, by audience and claim
//   PUT /groups/{id}/permissions { audience, claim?, permissions }   sets them (an empty list removes)
// `{id}` is the group's id, as everywhere under /groups (its name is accepted too).
// Rules: the group is named as in user_groups (404 when the tenant has none); entries must parse
// as the resource guard reads them (400 naming the entry otherwise); users' access tokens for the
// audience carry them from the next token on. Changes are audited with the group as subject.
import { z } from 'zod';
import {
  GroupPermissionInput, GroupPermissionInputError, listGroupPermissions, setGroupPermissions,
} from '../../../../core/oidc/group-permissions.ts';
import { getGroup } from '../../../../core/accounts/groups.ts';
import type { Db } from '../../../../core/infra/db.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation } from '../operation.ts';

const Params = z.object({ id: z.string().min(1).max(200) });

/** The group's name from its id (or its name); the group's own name when unknown (the core answers 404). */
async function groupName(db: Db, tenant: string, id: string): Promise<string> {
  return (await getGroup(db, tenant, id))?.name ?? id;
}
const Entry = z.object({ audience: z.string(), claim: z.string(), permissions: z.array(z.string()), updatedAt: z.string() });
const List = z.object({ items: z.array(Entry), next: z.null() });

async function list(db: Parameters<typeof listGroupPermissions>[0], tenant: string, group: string) {
  const items = await listGroupPermissions(db, tenant, group);
  if (!items) throw notFound('No such group in this tenant.');
  return { items, next: null };
}

export const operations: Operation[] = [
  defineOperation({
    id: 'group-permissions.list', method: 'GET', path: '/groups/{id}/permissions', scope: 'tenant', tag: 'groups',
    summary: "A group's API permissions (VERB::path-regex per audience and claim)",
    access: { area: 'manage', write: false }, params: Params, response: List,
    run: async ({ db, tenant }, { params }) => list(db, tenant, await groupName(db, tenant, params.id)),
  }),
  defineOperation({
    id: 'group-permissions.set', method: 'PUT', path: '/groups/{id}/permissions', scope: 'tenant', tag: 'groups',
    summary: "Set a group's permissions for one API audience and claim (an empty list removes them)",
    access: { area: 'manage', write: true }, params: Params, body: GroupPermissionInput, response: List,
    async run(ctx, { params, body }) {
      const group = await groupName(ctx.db, ctx.tenant, params.id);
      try {
        if (!(await setGroupPermissions(ctx.db, ctx.tenant, group, body))) throw notFound('No such group in this tenant.');
      } catch (err) {
        if (err instanceof GroupPermissionInputError) throw new HttpError(400, 'invalid_input', err.message);
        throw err;
      }
      ctx.note({ subject: group, data: { audience: body.audience, claim: body.claim ?? 'permissions', count: body.permissions.length } });
      return list(ctx.db, ctx.tenant, group);
    },
  }),
];
