// Registration off means no account is created by any journey: which trees a journey kind may
// run is policy, enforced where journeys start (Journey API) and again inside the signup module.
import { expect, it } from 'vitest';
import { createTenant } from '../../core/tenants/tenants.ts';
import { listUsers } from '../../core/accounts/users.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { updateRegistrationSettings } from '../../core/registration/registration-settings.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db } = stack;

async function closedTenant(): Promise<string> {
  const tenant = uniqueTenantId('noreg');
  await createTenant(db, tenant);
  await updateRegistrationSettings(db, tenant, { enabled: false });
  return tenant;
}

const signup = (tenant: string) => ({ email: `eve@${tenant}.example`, name: 'Eve', password: 'violet staple orbit 42', invitation: '' });

it('refuses a login or recovery journey on the registration tree, whatever registration says', async () => {
  const tenant = await closedTenant();
  const api = new JourneyApi(stack.url, tenant);
  for (const kind of ['login', 'recovery']) {
    const res = await api.start(kind, 'registration');
    expect(res.status, kind).toBe(400);
    expect(res.body.error.code).toBe('tree_not_allowed');
  }
  expect((await api.start('registration')).status).toBe(403);
  expect(await listUsers(db, tenant)).toHaveLength(0);
});

it('refuses a login journey on any tree that signs people up', async () => {
  const tenant = uniqueTenantId('join');
  await createTenant(db, tenant);
  await saveTree(db, tenant, { name: 'join', start: 'form', nodes: { form: { type: 'signup', next: { active: 'success', pending: 'success', bad: 'form' } } } });
  await saveTree(db, tenant, { name: 'outer', start: 'inner', nodes: { inner: { type: 'tree', config: { tree: 'join' }, next: { success: 'success', failure: 'failure' } } } });
  const api = new JourneyApi(stack.url, tenant);
  for (const tree of ['join', 'outer']) expect((await api.start('login', tree)).status, tree).toBe(400);
});

it('the signup module creates nothing once registration is off, even on a form shown before', async () => {
  const tenant = uniqueTenantId('late');
  await createTenant(db, tenant);
  const api = new JourneyApi(stack.url, tenant);
  expect((await api.start('registration')).status).toBe(201);
  await updateRegistrationSettings(db, tenant, { enabled: false });
  const res = await api.submit(signup(tenant));
  expect(res.body).toMatchObject({ status: 'failed', error: { code: 'registration_disabled' } });
  expect(await listUsers(db, tenant)).toHaveLength(0);
});
