// An upstream IdP's group claims never make anyone an admin: the federation group map adds users
// to ordinary groups only, never to a group that carries an admin role (whatever it is named) nor
// to a `tessera-…` name kept for role groups.
import { afterAll, describe, expect, it } from 'vitest';
import { createUser } from '../../core/accounts/users.ts';
import { grantRole, rolesOfUser } from '../../core/admin/roles.ts';
import { addUserGroups } from '../../core/federation/federated-identities.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';

const db = testDb();
afterAll(() => db.end());

describe('federation group map and admin roles', () => {
  it('adds ordinary groups and refuses role groups, by their kept names or renamed', async () => {
    const tenant = uniqueTenantId('fedrole');
    await createTenant(db, tenant);
    const admin = await createUser(db, tenant, { email: `admin@${tenant}.example` });
    const guest = await createUser(db, tenant, { email: `guest@${tenant}.example` });
    await grantRole(db, tenant, admin.id, 'tenant-admin');
    await grantRole(db, tenant, admin.id, 'auditor');
    // An admin renamed the auditor role group to a name an upstream might well send.
    await db`UPDATE groups SET name = 'staff' WHERE tenant_id = ${tenant} AND role = 'auditor'`;

    await addUserGroups(db, tenant, guest.id, ['tessera-tenant-admin', 'TESSERA-super-admin', 'staff', 'readers']);
    expect(await rolesOfUser(db, tenant, guest.id)).toEqual([]);
    const groups = await db`SELECT name FROM user_groups WHERE tenant_id = ${tenant} AND user_id = ${guest.id} ORDER BY name`;
    expect(groups.map((g) => g.name)).toEqual(['readers']);
    expect(await rolesOfUser(db, tenant, admin.id)).toEqual(['auditor', 'tenant-admin']);
  });
});
