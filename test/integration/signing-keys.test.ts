// Per-tenant signing keys (core/oidc/signing-keys.ts) on the real database: created once even when
// several processes ask together, active keys first in the provider's JWKS (oidc-provider signs
// with the first key of an alg), rotation keeping the old keys published for the grace period,
// a version that changes when the published set does, and signJwt for logout tokens.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ensureSigningKeys, keysVersion, listSigningKeys, providerJwks, rotateSigningKeys, signJwt,
} from '../../core/oidc/signing-keys.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { testDb, uniqueTenantId } from '../support/harness.ts';

const db = testDb();
afterAll(() => db.end());

async function tenant(): Promise<string> {
  const id = uniqueTenantId('sk');
  await createTenant(db, id);
  return id;
}

const publicSet = (keys: JWK[]) => ({ keys: keys.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }) => pub) });

describe('signing keys', () => {
  it('creates one key per algorithm, once, even when asked concurrently', async () => {
    const t = await tenant();
    await Promise.all([ensureSigningKeys(db, t), ensureSigningKeys(db, t), ensureSigningKeys(db, t)]);
    await ensureSigningKeys(db, t);
    const keys = await listSigningKeys(db, t);
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
    expect(keys.every((k) => k.status === 'active')).toBe(true);
    await expect(ensureSigningKeys(db, 'no-such-tenant-sk')).rejects.toThrow(/no tenant/);
  });

  it('rotates: new keys first, old ones published until the grace ends, then dropped', async () => {
    const t = await tenant();
    await ensureSigningKeys(db, t);
    const v1 = await keysVersion(db, t);
    const old = (await providerJwks(db, t)).keys.map((k) => k.kid);
    await rotateSigningKeys(db, t, 3_600_000);
    expect(await keysVersion(db, t)).not.toBe(v1);
    const jwks = (await providerJwks(db, t)).keys;
    expect(jwks).toHaveLength(8);
    expect(jwks.slice(4).map((k) => k.kid).sort()).toEqual([...old].sort());
    expect(jwks.slice(0, 4).some((k) => old.includes(k.kid!))).toBe(false);
    const retired = (await listSigningKeys(db, t)).filter((k) => k.status === 'retired');
    expect(retired).toHaveLength(4);
    for (const k of retired) expect(Math.abs(k.publishUntil!.getTime() - Date.now() - 3_600_000)).toBeLessThan(60_000);

    // No grace: the keys just retired are no longer published, and the version says so.
    const v2 = await keysVersion(db, t);
    await rotateSigningKeys(db, t, 0);
    expect(await keysVersion(db, t)).not.toBe(v2);
    expect((await providerJwks(db, t)).keys).toHaveLength(8);
    await expect(rotateSigningKeys(db, t, -1)).rejects.toThrow(/grace/);
  });

  it('signs JWTs with the active key of the algorithm, verifiable with the published keys', async () => {
    const t = await tenant();
    await ensureSigningKeys(db, t);
    const keys = createLocalJWKSet(publicSet((await providerJwks(db, t)).keys));
    const token = await signJwt(db, t, { iss: 'https://issuer.example', aud: 'rp', sub: 'u1', jti: 'j1' }, { typ: 'logout+jwt' });
    const { payload, protectedHeader } = await jwtVerify(token, keys, { typ: 'logout+jwt', issuer: 'https://issuer.example', audience: 'rp' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.iat).toBeTypeOf('number');
    const active = (await listSigningKeys(db, t)).find((k) => k.alg === 'ES256')!;
    expect(protectedHeader.kid).toBe(active.kid);
    const rs = await signJwt(db, t, { sub: 'u1' }, { typ: 'JWT', alg: 'RS256' });
    expect(decodeProtectedHeader(rs).alg).toBe('RS256');
    await jwtVerify(rs, keys);

    await rotateSigningKeys(db, t);
    const after = await signJwt(db, t, { sub: 'u1' }, { typ: 'JWT' });
    expect(decodeProtectedHeader(after).kid).not.toBe(active.kid);
    await expect(signJwt(db, 'no-such-tenant-sk', { sub: 'x' }, { typ: 'JWT' })).rejects.toThrow(/no active ES256/);
  });
});
