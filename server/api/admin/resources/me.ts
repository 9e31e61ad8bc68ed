// Who the caller is: what the admin console asks first, to know which tenants and pages to show.
import { z } from 'zod';
import { getUser } from '../../../../core/accounts/users.ts';
import { listTenants } from '../../../../core/tenants/tenants.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { isSuperAdmin, visibleTenants } from '../principal.ts';

const Me = z.object({
  actor: z.string(),
  displayName: z.string().describe('Who to show as signed in: the user\'s email or name, the token\'s name, or the actor.'),
  superAdmin: z.boolean(),
  grants: z.array(z.object({ role: z.string(), tenant: z.string() })),
  tenants: z.array(z.object({ id: z.string(), name: z.string(), roles: z.array(z.string()) })),
});

export const operations: Operation[] = [
  defineOperation({
    id: 'me.get', method: 'GET', path: '/me', scope: 'global', tag: 'me', summary: 'The caller, its roles and the tenants it may see',
    access: { area: 'manage', write: false }, response: Me,
    async run({ db, principal }) {
      const visible = visibleTenants(principal);
      const superAdmin = isSuperAdmin(principal);
      const tenants = (await listTenants(db)).filter((t) => !visible || visible.has(t.id));
      const [, userTenant, userId] = /^user:([^/]+)\/(.+)$/.exec(principal.actor) ?? [];
      const user = userTenant && userId ? await getUser(db, userTenant, userId) : undefined;
      return {
        actor: principal.actor, displayName: user?.email ?? user?.name ?? principal.actor, superAdmin, grants: principal.grants,
        tenants: tenants.map((t) => ({
          id: t.id, name: t.name,
          roles: superAdmin ? ['super-admin'] : principal.grants.filter((g) => g.tenant === t.id).map((g) => g.role),
        })),
      };
    },
  }),
];
