// Which local account an upstream account signs in to (activities/federation/upstream-account.ts),
// against the database: the linked one; an existing account with the same email offered for
// linking (never linked on the upstream's word); a just-in-time account; a refusal; or a pending
// account sent to moderation (its registration workflow started). Tenants do not see each other's
// links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { testClient, testConfig, testDb, uniqueTenantId } from '../support/harness.ts';
import { recordAudit } from '../../core/infra/audit.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createUser, getUser } from '../../core/accounts/users.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { linkIdentity, listUserLinks } from '../../core/federation/federated-identities.ts';
import { createMailer } from '../../core/infra/mail.ts';
import type { IdentityProvider } from '../../core/federation/federation-types.ts';
import { resolveUpstreamAccount } from '../../activities/federation/upstream-account.ts';
import { upstreamPerson } from '../../activities/federation/upstream-claims.ts';
import type { ModuleDeps } from '../../activities/modules/module.ts';
import { registrationWorkflowId } from '../../workflows/registration-contracts.ts';

const db = testDb();
const config = testConfig();
let temporal: Client;
let deps: ModuleDeps;

beforeAll(async () => {
  temporal = await testClient(config);
  deps = { db, config, temporal, now: () => new Date(), mail: createMailer({ db, smtpUrl: undefined }), audit: (e) => recordAudit(db, e) };
});
afterAll(async () => {
  await temporal.connection.close();
  await db.end();
});

async function tenantWithIdp(provisioning: Partial<IdentityProvider['provisioning']> = {}, extra: Record<string, unknown> = {}) {
  const tenant = uniqueTenantId('fed');
  await createTenant(db, tenant);
  const idp = await saveIdp(db, tenant, {
    kind: 'oidc', alias: 'corp', displayName: 'Corp', oidc: { issuer: 'https://corp.example', clientId: 'c', scopes: ['openid'] },
    provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: true, ...provisioning }, ...extra,
  });
  return { tenant, idp };
}

const person = (idp: IdentityProvider, claims: Record<string, unknown>, subject = 'upstream-1') => upstreamPerson(idp, { subject, claims });

describe('upstream accounts', () => {
  it('create a linked, active account just in time, with verified email, profile and mapped groups', async () => {
    const { tenant, idp } = await tenantWithIdp({}, { groups: { claim: 'groups', map: { 'corp-admins': 'admins' } } });
    const p = person(idp, { email: 'new@corp.example', email_verified: true, given_name: 'Nia', family_name: 'Ode', groups: ['corp-admins', 'x'] });
    const first = await resolveUpstreamAccount(deps, idp, p, 'journey-1');
    expect(first.kind).toBe('signed-in');
    if (first.kind !== 'signed-in') return;
    expect(first.created).toBe(true);
    expect(first.user).toMatchObject({ email: 'new@corp.example', name: 'Nia Ode', status: 'active' });
    const [row] = await db`SELECT email_verified_at, attributes FROM users WHERE tenant_id = ${tenant} AND id = ${first.user.id}`;
    expect(row!.email_verified_at).not.toBeNull();
    expect(row!.attributes).toMatchObject({ given_name: 'Nia', family_name: 'Ode' });
    const groups = await db`SELECT name FROM user_groups WHERE tenant_id = ${tenant} AND user_id = ${first.user.id}`;
    expect(groups.map((g) => g.name)).toEqual(['admins']);
    // The second sign-in finds the link; a retried activity would too.
    const again = await resolveUpstreamAccount(deps, idp, p, 'journey-2');
    expect(again).toMatchObject({ kind: 'signed-in', created: false, user: { id: first.user.id } });
  });

  it('does not mark an unverified upstream email as verified', async () => {
    const { tenant, idp } = await tenantWithIdp();
    const done = await resolveUpstreamAccount(deps, idp, person(idp, { email: 'unverified@corp.example' }), 'j');
    if (done.kind !== 'signed-in') throw new Error(done.kind);
    const [row] = await db`SELECT email_verified_at FROM users WHERE tenant_id = ${tenant} AND id = ${done.user.id}`;
    expect(row!.email_verified_at).toBeNull();
  });

  it('offer an existing account with the same email for linking, without linking it', async () => {
    const { tenant, idp } = await tenantWithIdp();
    const local = await createUser(db, tenant, { email: 'alice@corp.example', password: 'correct horse battery' });
    const decision = await resolveUpstreamAccount(deps, idp, person(idp, { email: 'ALICE@corp.example', email_verified: true }), 'j');
    expect(decision).toMatchObject({ kind: 'link', candidate: { id: local.id } });
    expect(await listUserLinks(db, tenant, local.id)).toEqual([]);
  });

  it('refuse an existing account with the same email when the IdP may not link', async () => {
    const { idp, tenant } = await tenantWithIdp({ linkByEmail: false });
    await createUser(db, tenant, { email: 'bob@corp.example' });
    expect(await resolveUpstreamAccount(deps, idp, person(idp, { email: 'bob@corp.example', email_verified: true }), 'j'))
      .toMatchObject({ kind: 'refused', code: 'account_exists' });
  });

  it('refuse unknown users when JIT is off, and create nothing', async () => {
    const { idp, tenant } = await tenantWithIdp({ jit: false, onUnknown: 'refuse' });
    expect(await resolveUpstreamAccount(deps, idp, person(idp, { email: 'carol@corp.example' }), 'j'))
      .toMatchObject({ kind: 'refused', code: 'unknown_account' });
    expect(await db`SELECT 1 FROM users WHERE tenant_id = ${tenant}`).toHaveLength(0);
  });

  it('send unknown users to registration with moderation when JIT is off', async () => {
    const { idp, tenant } = await tenantWithIdp({ jit: false, onUnknown: 'register' });
    const decision = await resolveUpstreamAccount(deps, idp, person(idp, { email: 'dan@corp.example', name: 'Dan' }), 'journey-dan');
    expect(decision).toMatchObject({ kind: 'pending', email: 'dan@corp.example' });
    if (decision.kind !== 'pending') return;
    expect((await getUser(db, tenant, decision.userId))?.status).toBe('pending');
    const described = await temporal.workflow.getHandle(registrationWorkflowId(tenant, decision.userId)).describe();
    expect(described.type).toBe('registrationWorkflow');
    await temporal.workflow.getHandle(registrationWorkflowId(tenant, decision.userId)).terminate('test done');
    // Signing in again while pending says so again; nothing new is created.
    expect(await resolveUpstreamAccount(deps, idp, person(idp, { email: 'dan@corp.example' }), 'journey-dan-2')).toMatchObject({ kind: 'pending', userId: decision.userId });
  });

  it('refuse a disabled linked account', async () => {
    const { tenant, idp } = await tenantWithIdp();
    const user = await createUser(db, tenant, { email: 'eve@corp.example', status: 'disabled' });
    expect(await linkIdentity(db, tenant, 'corp', 'sub-eve', user.id)).toBe(true);
    expect(await resolveUpstreamAccount(deps, idp, person(idp, {}, 'sub-eve'), 'j')).toMatchObject({ kind: 'refused', code: 'account_disabled' });
  });

  it('keep links per tenant: the same upstream subject is a stranger elsewhere', async () => {
    const a = await tenantWithIdp();
    const b = await tenantWithIdp({ jit: false, onUnknown: 'refuse' });
    const user = await createUser(db, a.tenant, { email: 'fay@corp.example' });
    await linkIdentity(db, a.tenant, 'corp', 'sub-fay', user.id);
    expect(await resolveUpstreamAccount(deps, a.idp, person(a.idp, {}, 'sub-fay'), 'j')).toMatchObject({ kind: 'signed-in', user: { id: user.id } });
    expect(await resolveUpstreamAccount(deps, b.idp, person(b.idp, {}, 'sub-fay'), 'j')).toMatchObject({ kind: 'refused' });
  });

  it('never link one upstream subject to two accounts', async () => {
    const { tenant } = await tenantWithIdp();
    const one = await createUser(db, tenant, { email: 'g1@corp.example' });
    const two = await createUser(db, tenant, { email: 'g2@corp.example' });
    expect(await linkIdentity(db, tenant, 'corp', 'sub-g', one.id)).toBe(true);
    expect(await linkIdentity(db, tenant, 'corp', 'sub-g', two.id)).toBe(false);
  });
});
