// The adapter's shared token lookup (server/protocols/oidc/token-lookup.ts) on the real database:
// oidc-provider's parallel finds of one token value in several models are one statement, each
// model still gets only its own row, and the grant read with the token is given once, briefly,
// and never after this process revoked or changed it; the token's user read in the same statement
// goes to the findAccount of the same request only, once, with the claims a read of its own gives.
import { afterAll, describe, expect, it } from 'vitest';
import { createTenant } from '../../core/tenants/tenants.ts';
import { addMember, createGroup } from '../../core/accounts/groups.ts';
import { loadUserClaims } from '../../core/accounts/user-claims.ts';
import { createUser, setUserStatus } from '../../core/accounts/users.ts';
import { withLogContext } from '../../core/infra/log-context.ts';
import { findAccount } from '../../server/protocols/oidc/account.ts';
import type { OidcDeps } from '../../server/protocols/oidc/deps.ts';
import { postgresAdapter } from '../../server/protocols/oidc/postgres-adapter.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';
import { countingDb } from '../support/counting-db.ts';

const db = testDb();
afterAll(() => db.end());


async function setup() {
  const tenant = uniqueTenantId('tl');
  await createTenant(db, tenant);
  const c = countingDb(db);
  const adapter = postgresAdapter(c.db, tenant);
  const [at, cc, rt, grant] = ['AccessToken', 'ClientCredentials', 'RefreshToken', 'Grant'].map((m) => adapter(m));
  await grant!.upsert('g-1', { kind: 'Grant', jti: 'g-1', accountId: 'u-1' }, 600);
  await rt!.upsert('rt-1', { kind: 'RefreshToken', jti: 'rt-1', grantId: 'g-1' }, 600);
  await at!.upsert('at-1', { kind: 'AccessToken', jti: 'at-1', grantId: 'g-1' }, 600);
  return { tenant, at: at!, cc: cc!, rt: rt!, grant: grant!, statements: c.statements };
}

describe('token lookup', () => {
  it('answers parallel finds of one value in three models with one statement, each with its own row', async () => {
    const s = await setup();
    const before = s.statements();
    const [a, c, r] = await Promise.all([s.at.find('rt-1'), s.cc.find('rt-1'), s.rt.find('rt-1')]);
    expect(s.statements() - before).toBe(1);
    expect([a, c, r?.jti]).toEqual([undefined, undefined, 'rt-1']);
    const [a2, r2] = await Promise.all([s.at.find('at-1'), s.rt.find('at-1')]);
    expect([a2?.jti, r2]).toEqual(['at-1', undefined]);
    expect(await s.at.find('nothing')).toBeUndefined();
  });

  it('gives the grant read with the token once, without a statement', async () => {
    const s = await setup();
    await s.rt.find('rt-1');
    const before = s.statements();
    expect((await s.grant.find('g-1'))?.accountId).toBe('u-1');
    expect(s.statements() - before).toBe(0);
    expect((await s.grant.find('g-1'))?.accountId).toBe('u-1');
    expect(s.statements() - before).toBe(1);
  });

  it('never gives a grant this process destroyed or changed after the token was read', async () => {
    const s = await setup();
    await s.rt.find('rt-1');
    await s.grant.destroy('g-1');
    expect(await s.grant.find('g-1')).toBeUndefined();

    await s.grant.upsert('g-1', { kind: 'Grant', jti: 'g-1', accountId: 'u-1' }, 600);
    await s.at.find('at-1');
    await s.grant.upsert('g-1', { kind: 'Grant', jti: 'g-1', accountId: 'u-1', scope: 'changed' }, 600);
    expect((await s.grant.find('g-1'))?.scope).toBe('changed');

    // A replayed (consumed) refresh token revokes its grant: nothing of it is given afterwards.
    await s.rt.find('rt-1');
    await s.rt.consume('rt-1');
    await expect(s.rt.consume('rt-1')).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await s.grant.find('g-1')).toBeUndefined();
  });

  it('holds a grant only briefly, and not for a consumed token', async () => {
    const s = await setup();
    await s.rt.find('rt-1');
    await db`DELETE FROM oidc_payloads WHERE tenant_id = ${s.tenant} AND model = 'Grant'`; // as another replica would
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await s.grant.find('g-1')).toBeUndefined();

    await s.grant.upsert('g-1', { kind: 'Grant', jti: 'g-1', accountId: 'u-1' }, 600);
    await s.rt.consume('rt-1');
    expect((await s.rt.find('rt-1'))?.consumed).toBeGreaterThan(0);
    await db`DELETE FROM oidc_payloads WHERE tenant_id = ${s.tenant} AND model = 'Grant'`;
    expect(await s.grant.find('g-1')).toBeUndefined();
  });
});

describe("the token's user", () => {
  async function withUser() {
    const s = await setup();
    const c = countingDb(db);
    const user = await createUser(db, s.tenant, { username: 'ada', email: 'ada@example.com', name: 'Ada L', attributes: { given_name: 'Ada' } });
    await addMember(db, s.tenant, await createGroup(db, s.tenant, { name: 'staff' }), user.id);
    const adapter = postgresAdapter(c.db, s.tenant);
    await adapter('RefreshToken').upsert('rt-u', { kind: 'RefreshToken', jti: 'rt-u', grantId: 'g-1', accountId: user.id }, 600);
    const account = findAccount({ db: c.db } as unknown as OidcDeps, s.tenant);
    const find = (sub: string) => account(undefined as never, sub) as Promise<{ claims(): Promise<Record<string, unknown>> } | undefined>;
    return { ...s, user, adapter, rt: adapter('RefreshToken'), find, statements: c.statements };
  }
  const request = <T>(fn: () => Promise<T>) => withLogContext({ requestId: crypto.randomUUID() }, fn);

  it('is read with the token and given to the same request once, with the same claims', async () => {
    const u = await withUser();
    const expected = (await loadUserClaims(db, u.tenant, u.user.id))!.claims;
    expect(expected.groups).toEqual(['staff']);
    await request(async () => {
      await u.rt.find('rt-u');
      const before = u.statements();
      expect(await (await u.find(u.user.id))!.claims()).toEqual(expected);
      expect(u.statements() - before).toBe(0);
      await u.find(u.user.id);
      expect(u.statements() - before).toBe(1);
    });
  });

  it('is never given to another request, and a disabled user is no account either way', async () => {
    const u = await withUser();
    await request(() => u.rt.find('rt-u'));
    await request(async () => {
      const before = u.statements();
      expect(await u.find(u.user.id)).toBeDefined();
      expect(u.statements() - before).toBe(1);
    });
    await setUserStatus(db, u.tenant, u.user.id, 'disabled');
    await request(async () => {
      await u.rt.find('rt-u');
      const before = u.statements();
      expect(await u.find(u.user.id)).toBeUndefined();
      expect(u.statements() - before).toBe(0);
    });
  });

  it('is not read by a lookup in several models (introspection without a hint)', async () => {
    const u = await withUser();
    await request(async () => {
      const before = u.statements();
      const [, , r] = await Promise.all([u.adapter('AccessToken').find('rt-u'), u.adapter('ClientCredentials').find('rt-u'), u.rt.find('rt-u')]);
      expect(r?.accountId).toBe(u.user.id);
      expect(u.statements() - before).toBe(1);
      expect(await u.find(u.user.id)).toBeDefined();
      expect(u.statements() - before).toBe(2);
    });
  });

  it('leaves tokens of clients and unknown accounts alone', async () => {
    const u = await withUser();
    await u.rt.upsert('rt-c', { kind: 'RefreshToken', jti: 'rt-c', grantId: 'g-1', accountId: 'service:client-1' }, 600);
    await u.rt.upsert('rt-x', { kind: 'RefreshToken', jti: 'rt-x', grantId: 'g-1', accountId: crypto.randomUUID() }, 600);
    await request(async () => {
      expect((await u.rt.find('rt-c'))?.accountId).toBe('service:client-1');
      expect((await u.rt.find('rt-x'))?.jti).toBe('rt-x');
    });
  });
});
