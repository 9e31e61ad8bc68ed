// The provider's storage (server/protocols/oidc/postgres-adapter.ts) on the real database: what
// oidc-provider relies on — expiry, consume (reuse detection), secondary lookups, revocation by
// grant — and that one tenant never sees another's rows.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { postgresAdapter } from '../../server/protocols/oidc/postgres-adapter.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';

const db = testDb();
afterAll(() => db.end());

async function tenant(): Promise<string> {
  const id = uniqueTenantId('oa');
  await createTenant(db, id);
  return id;
}

describe('postgres adapter', () => {
  it('stores, finds, expires and destroys a payload', async () => {
    const adapter = postgresAdapter(db, await tenant())('AccessToken');
    await adapter.upsert('at-1', { kind: 'AccessToken', jti: 'at-1', grantId: 'g-1', exp: 1 }, 60);
    expect(await adapter.find('at-1')).toMatchObject({ jti: 'at-1', grantId: 'g-1' });
    expect(await adapter.find('at-2')).toBeUndefined();
    await adapter.upsert('short', { jti: 'short' }, 1);
    await new Promise((r) => setTimeout(r, 1300));
    expect(await adapter.find('short')).toBeUndefined();
    await adapter.destroy('at-1');
    expect(await adapter.find('at-1')).toBeUndefined();
  });

  it('reports consumed payloads, and an upsert replaces the record', async () => {
    const adapter = postgresAdapter(db, await tenant())('AuthorizationCode');
    await adapter.upsert('code-1', { jti: 'code-1' }, 60);
    expect((await adapter.find('code-1'))?.consumed).toBeUndefined();
    await adapter.consume('code-1');
    const consumed = await adapter.find('code-1');
    expect(consumed?.consumed).toBeGreaterThan(Date.now() / 1000 - 10);
    await adapter.upsert('code-1', { jti: 'code-1', scope: 'openid' }, 60);
    expect(await adapter.find('code-1')).toEqual({ jti: 'code-1', scope: 'openid' });
  });

  it('finds sessions by uid and device codes by user code, per model', async () => {
    const factory = postgresAdapter(db, await tenant());
    await factory('Session').upsert('s-1', { jti: 's-1', uid: 'uid-1' }, 60);
    await factory('DeviceCode').upsert('d-1', { jti: 'd-1', userCode: 'ABCD-EFGH' }, 60);
    expect(await factory('Session').findByUid('uid-1')).toMatchObject({ jti: 's-1' });
    expect(await factory('Session').findByUid('uid-2')).toBeUndefined();
    expect(await factory('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ jti: 'd-1' });
    expect(await factory('Interaction').findByUserCode('ABCD-EFGH')).toBeUndefined();
  });

  it('revokes every token of a grant in its model, and nothing else', async () => {
    const factory = postgresAdapter(db, await tenant());
    const rt = factory('RefreshToken');
    await rt.upsert('rt-1', { jti: 'rt-1', grantId: 'g' }, 60);
    await rt.upsert('rt-2', { jti: 'rt-2', grantId: 'g' }, 60);
    await rt.upsert('rt-3', { jti: 'rt-3', grantId: 'other' }, 60);
    await factory('AccessToken').upsert('at-1', { jti: 'at-1', grantId: 'g' }, 60);
    await rt.revokeByGrantId('g');
    expect(await rt.find('rt-1')).toBeUndefined();
    expect(await rt.find('rt-2')).toBeUndefined();
    expect(await rt.find('rt-3')).toBeDefined();
    expect(await factory('AccessToken').find('at-1')).toBeDefined();
  });

  it('deletes expired rows in the background, oldest first, every few hundred writes', async () => {
    const t = await tenant();
    await db`INSERT INTO oidc_payloads (tenant_id, model, id, payload, expires_at)
      VALUES (${t}, 'Session', 'stale', '{}', '2000-01-01T00:00:00Z')`;
    const adapter = postgresAdapter(db, t)('Interaction');
    for (let i = 0; i < 500; i++) await adapter.upsert(`i-${i}`, { jti: `i-${i}` }, 60);
    await vi.waitFor(async () => {
      expect(await db`SELECT 1 FROM oidc_payloads WHERE tenant_id = ${t} AND id = 'stale'`).toHaveLength(0);
    }, { timeout: 10_000, interval: 200 });
    expect(await adapter.find('i-499')).toBeDefined();
  });

  it('keeps tenants apart, for payloads and for clients', async () => {
    const [a, b] = [await tenant(), await tenant()];
    await postgresAdapter(db, a)('Grant').upsert('grant-1', { jti: 'grant-1' }, 60);
    expect(await postgresAdapter(db, b)('Grant').find('grant-1')).toBeUndefined();
    await postgresAdapter(db, b)('Grant').revokeByGrantId('grant-1');
    await postgresAdapter(db, b)('Grant').destroy('grant-1');
    expect(await postgresAdapter(db, a)('Grant').find('grant-1')).toBeDefined();

    const client = await createOidcClient(db, a, { grant_types: ['client_credentials'] });
    expect(await postgresAdapter(db, a)('Client').find(client.clientId)).toMatchObject({ client_id: client.clientId });
    expect(await postgresAdapter(db, b)('Client').find(client.clientId)).toBeUndefined();
    await expect(postgresAdapter(db, a)('Client').upsert(client.clientId, {}, 60)).rejects.toThrow(/tessera clients/);
  });
});
