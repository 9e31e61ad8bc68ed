// Admin roles of a tenant's users (core/admin/roles.ts: a role is membership of the tenant's group
// that carries it):
//   GET    /roles                      who holds which role, `?role=`
//   POST   /roles { role, userId | email }   grant (200 either way; `granted` says whether it was new)
//   DELETE /roles/{role}/users/{userId}      revoke; 404 when not held
// Rules: only a super-admin may grant or revoke `super-admin` (a tenant-admin could otherwise make
// itself master of every tenant); a tenant-admin may not revoke its own tenant-admin role (an
// admin cannot lock the tenant out by mistake: another admin does it); the user must be of this
// tenant. Changes are audited with the user as subject and the role in data.
import { z } from 'zod';
import { findUserByLogin, getUser } from '../../../../core/accounts/users.ts';
import { grantRole, listRoleGrants, revokeRole, ROLES, type Role } from '../../../../core/admin/roles.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation, type OperationContext } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { isSuperAdmin } from '../principal.ts';
import { isUuid } from '../schemas.ts';

const RoleName = z.enum(ROLES);
const GrantJson = z.object({ role: RoleName, userId: z.uuid(), email: z.string().nullable(), username: z.string(), group: z.string() });
const GrantBody = z.object({
  role: RoleName,
  userId: z.string().max(64).optional(),
  email: z.string().max(254).optional(),
}).strict().refine((b) => (b.userId === undefined) !== (b.email === undefined), 'name the user by exactly one of userId or email');
const Cursor = z.object({ role: z.string(), username: z.string() });

function mayChange(ctx: OperationContext, role: Role): void {
  if (role === 'super-admin' && !isSuperAdmin(ctx.principal)) throw new HttpError(403, 'forbidden', 'Only a super-admin may grant or revoke super-admin.');
}

export const operations: Operation[] = [
  defineOperation({
    id: 'roles.list', method: 'GET', path: '/roles', scope: 'tenant', tag: 'roles', summary: 'Who holds which admin role',
    access: { area: 'manage', write: false }, query: ListQuery.extend({ role: RoleName.optional() }),
    response: z.object({ items: z.array(GrantJson), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor);
      const all = (await listRoleGrants(db, tenant))
        .filter((g) => !query.role || g.role === query.role)
        .filter((g) => !after || g.role > after.role || (g.role === after.role && g.username > after.username));
      return page(all.slice(0, query.limit + 1), query.limit, (g) => ({ role: g.role, username: g.username }),
        (g) => ({ role: g.role, userId: g.userId, email: g.email, username: g.username, group: g.group }));
    },
  }),
  defineOperation({
    id: 'roles.grant', method: 'POST', path: '/roles', scope: 'tenant', tag: 'roles', summary: 'Grant an admin role to a user of the tenant',
    access: { area: 'manage', write: true }, body: GrantBody,
    response: z.object({ role: RoleName, userId: z.uuid(), granted: z.boolean().describe('false when the user already held the role') }),
    async run(ctx, { body }) {
      mayChange(ctx, body.role);
      const user = body.userId !== undefined ? await getUser(ctx.db, ctx.tenant, body.userId) : await findUserByLogin(ctx.db, ctx.tenant, body.email!);
      if (!user) throw notFound('No such user in this tenant.');
      const granted = await grantRole(ctx.db, ctx.tenant, user.id, body.role);
      ctx.note({ subject: user.id, data: { role: body.role } });
      return { role: body.role, userId: user.id, granted };
    },
  }),
  defineOperation({
    id: 'roles.revoke', method: 'DELETE', path: '/roles/{role}/users/{userId}', scope: 'tenant', tag: 'roles', summary: 'Revoke an admin role',
    access: { area: 'manage', write: true }, params: z.object({ role: z.string().max(40), userId: z.string().max(64) }), status: 204, response: z.undefined(),
    async run(ctx, { params }) {
      const role = RoleName.safeParse(params.role);
      if (!role.success || !isUuid(params.userId)) throw notFound('This user does not hold this role.');
      mayChange(ctx, role.data);
      if (role.data === 'tenant-admin' && ctx.principal.actor === `user:${ctx.tenant}/${params.userId}`) {
        throw new HttpError(409, 'own_role', 'You cannot revoke your own tenant-admin role: ask another admin.');
      }
      if (!(await revokeRole(ctx.db, ctx.tenant, params.userId, role.data))) throw notFound('This user does not hold this role.');
      ctx.note({ subject: params.userId, data: { role: role.data } });
      return undefined;
    },
  }),
];
