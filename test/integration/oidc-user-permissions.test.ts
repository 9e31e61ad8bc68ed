// User permissions through groups: a group carries VERB::path-regex entries per API audience and
// claim (one claim per API, as Astarte reads a_aea / a_rma); a user's access token for that
// audience carries the union over the user's groups, and nothing for another audience. The
// resource guard enforces them, verb regexes included.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser } from '../../core/accounts/users.ts';
import {
  GroupPermissionInputError, listGroupPermissions, setGroupPermissions,
} from '../../core/oidc/group-permissions.ts';
import { createOidcClient, type OidcClient } from '../../core/oidc/oidc-clients.ts';
import { createResourceGuard } from '../../guard/resource-guard.ts';
import { operations } from '../../server/api/admin/resources/permissions.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
const ASTARTE = 'https://astarte.example/realm1';
const OTHER_API = 'https://other.example/';
let issuer: string;
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let app: OidcClient;

async function userToken(resource: string, login = user.login, password = user.password): Promise<JWTPayload> {
  const res = await fetch(`${issuer}/oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${app.clientId}:${app.metadata.client_secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: login, password, scope: 'openid', resource }),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  const keys = createLocalJWKSet(await (await fetch(`${issuer}/oidc/jwks`)).json() as JSONWebKeySet);
  return (await jwtVerify(body.access_token, keys, { issuer, audience: resource, typ: 'at+jwt' })).payload;
}

const inGroups = async (userId: string, ...groups: string[]) => {
  for (const name of groups) await stack.db`INSERT INTO user_groups (tenant_id, user_id, name) VALUES (${user.tenant}, ${userId}, ${name})`;
};

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  issuer = `${stack.url}/t/${user.tenant}`;
  app = await createOidcClient(stack.db, user.tenant, { client_name: 'console', grant_types: ['password'] });
  await inGroups(user.user.id, 'operators', 'viewers');
  const outsider = await createUser(stack.db, user.tenant, { email: `other@${user.tenant}.example` });
  await inGroups(outsider.id, 'admins');
  const set = (group: string, input: object) => setGroupPermissions(stack.db, user.tenant, group, input);
  expect(await set('operators', { audience: ASTARTE, claim: 'a_aea', permissions: ['GET|PUT::devices/.*'] })).toBe(true);
  expect(await set('viewers', { audience: ASTARTE, claim: 'a_aea', permissions: ['GET::interfaces/.*', 'GET|PUT::devices/.*'] })).toBe(true);
  expect(await set('viewers', { audience: ASTARTE, claim: 'a_rma', permissions: ['GET::.*'] })).toBe(true);
  expect(await set('viewers', { audience: OTHER_API, permissions: ['GET::/reports'] })).toBe(true);
  expect(await set('admins', { audience: ASTARTE, claim: 'a_aea', permissions: ['.*::.*'] })).toBe(true);
});

describe('user permissions in access tokens', () => {
  it('puts the union of the user\'s groups\' entries, one claim per API, into a token for that audience', async () => {
    const payload = await userToken(ASTARTE);
    expect(payload.sub).toBe(user.user.id);
    expect(payload.a_aea).toEqual(['GET::interfaces/.*', 'GET|PUT::devices/.*']);
    expect(payload.a_rma).toEqual(['GET::.*']);
    expect(payload).not.toHaveProperty('permissions');
    const guard = createResourceGuard({ issuer, audience: ASTARTE, permissionsClaim: 'a_aea' });
    expect(guard.allows(payload, 'PUT', 'devices/d1')).toBe(true);
    expect(guard.allows(payload, 'DELETE', 'devices/d1')).toBe(false);
    expect(guard.allows(payload, 'GET', 'interfaces/com.example.x')).toBe(true);
  });

  it('carries only what is for the token\'s own audience, under `permissions` by default', async () => {
    const payload = await userToken(OTHER_API);
    expect(payload.permissions).toEqual(['GET::/reports']);
    expect(payload).not.toHaveProperty('a_aea');
  });

  it('follows membership and changes from the next token on', async () => {
    await setGroupPermissions(stack.db, user.tenant, 'viewers', { audience: ASTARTE, claim: 'a_rma', permissions: [] });
    await stack.db`DELETE FROM user_groups WHERE tenant_id = ${user.tenant} AND user_id = ${user.user.id} AND name = 'viewers'`;
    const payload = await userToken(ASTARTE);
    expect(payload.a_aea).toEqual(['GET|PUT::devices/.*']);
    expect(payload).not.toHaveProperty('a_rma');
  });

  it('refuses malformed entries, reserved claims and unknown groups', async () => {
    const set = (group: string, input: object) => setGroupPermissions(stack.db, user.tenant, group, input);
    for (const input of [
      { audience: ASTARTE, permissions: ['GET /devices'] },
      { audience: ASTARTE, permissions: ['GET::devices/('] },
      { audience: ASTARTE, permissions: ['GET)|(.*::x'] },
      { audience: ASTARTE, claim: 'sub', permissions: ['GET::.*'] },
      { audience: ASTARTE, claim: 'bad-claim', permissions: ['GET::.*'] },
    ]) await expect(set('operators', input), JSON.stringify(input)).rejects.toThrow(GroupPermissionInputError);
    expect(await set('no-such-group', { audience: ASTARTE, permissions: ['GET::.*'] })).toBe(false);
    expect(await listGroupPermissions(stack.db, user.tenant, 'operators')).toEqual([
      expect.objectContaining({ audience: ASTARTE, claim: 'a_aea', permissions: ['GET|PUT::devices/.*'] }),
    ]);
  });

  it('offers the same through management operations (groups/{id}/permissions, by name too)', async () => {
    const [listOp, setOp] = operations;
    const ctx = { db: stack.db, tenant: user.tenant, note: () => {} } as never;
    const after = await setOp!.run(ctx, { params: { id: 'operators' }, query: {}, body: { audience: OTHER_API, permissions: ['POST::/reports'] } } as never);
    expect((after as { items: unknown[] }).items).toHaveLength(2);
    const listed = await listOp!.run(ctx, { params: { id: 'operators' }, query: {}, body: undefined } as never);
    expect(listed).toMatchObject({ items: [{ audience: ASTARTE }, { audience: OTHER_API, claim: 'permissions', permissions: ['POST::/reports'] }] });
    await expect(setOp!.run(ctx, { params: { id: 'operators' }, query: {}, body: { audience: OTHER_API, permissions: ['nope'] } } as never))
      .rejects.toMatchObject({ status: 400 });
    await expect(listOp!.run(ctx, { params: { id: 'ghosts' }, query: {}, body: undefined } as never)).rejects.toMatchObject({ status: 404 });
  });
});
