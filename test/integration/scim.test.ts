// SCIM 2.0 (RFC 7643/7644) against the real server, Temporal and database, driven by a SCIM client:
// discovery; every RFC 7644 example body for Users and Groups (create §3.3, replace §3.5.1, patch
// §3.5.2.1-3) accepted and reflected in Tessera's users and groups; filters, sorting and
// pagination; ETags (If-Match 412, If-None-Match 304); SCIM error bodies with their scimType; and
// every change recorded as the management operation's audit event with the token's name.
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { findGroupByName, getGroup } from '../../core/accounts/groups.ts';
import { createUser, getUser } from '../../core/accounts/users.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { createScimToken, findScimToken } from '../../core/scim/scim-tokens.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { adminRequest } from '../support/admin-api.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { killAll, runTessera } from '../support/processes.ts';
import { scimClient, type ScimClient } from '../support/scim-client.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const stack = useStack();
const { db } = stack;
afterAll(() => killAll());

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

async function setup(): Promise<{ tenant: string; scim: ScimClient }> {
  const tenant = uniqueTenantId('scim');
  await createTenant(db, tenant);
  const { token } = await createScimToken(db, tenant, 'provisioner');
  return { tenant, scim: scimClient(stack.url, tenant, token) };
}

function expectError(res: { status: number; body: any; headers: Headers }, status: number, scimType?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(res.body).toMatchObject({ schemas: [ERROR], status: String(status), detail: expect.any(String) });
  if (scimType) expect(res.body.scimType).toBe(scimType);
  else expect(res.body.scimType).toBeUndefined();
}

const patch = (...Operations: object[]) => ({ schemas: [PATCH], Operations });

describe('discovery', () => {
  it('describes the service provider, its resource types and schemas', async () => {
    const { tenant, scim } = await setup();
    const spc = await scim('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(spc.body).toMatchObject({
      patch: { supported: true }, bulk: { supported: false }, filter: { supported: true, maxResults: 200 },
      sort: { supported: true }, etag: { supported: true }, authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
    });
    const types = await scim('GET', '/ResourceTypes');
    expect(types.body).toMatchObject({ schemas: [LIST], totalResults: 2 });
    expect(types.body.Resources.map((r: any) => [r.id, r.endpoint, r.schema])).toEqual([['User', '/Users', USER], ['Group', '/Groups', GROUP]]);
    expect((await scim('GET', '/ResourceTypes/Group')).body.endpoint).toBe('/Groups');
    const schemas = await scim('GET', '/Schemas');
    expect(schemas.body.Resources.map((s: any) => s.id)).toEqual([USER, GROUP]);
    const user = await scim('GET', `/Schemas/${USER}`);
    const userName = user.body.attributes.find((a: any) => a.name === 'userName');
    expect(userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite' });
    expect(user.body.attributes.find((a: any) => a.name === 'password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(user.body.meta.location).toBe(`${stack.config.publicUrl}/t/${tenant}/scim/v2/Schemas/${USER}`);
    expectError(await scim('GET', '/Schemas/urn:nope'), 404);
    expectError(await scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }), 501);
    expectError(await scim('GET', '/Nothing'), 404);
  });
});

describe('Users: the RFC 7644 examples', () => {
  it('§3.3 creates a user, answered with Location, ETag and meta; Tessera has the user, audited as the token', async () => {
    const { tenant, scim } = await setup();
    const created = await scim('POST', '/Users', {
      schemas: [USER], userName: 'bjensen', externalId: 'bjensen',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const id = created.body.id as string;
    expect(created.body).toEqual({
      schemas: [USER], id, externalId: 'bjensen', userName: 'bjensen',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
      displayName: 'Ms. Barbara J Jensen III', active: true,
      meta: {
        resourceType: 'User', created: expect.any(String), lastModified: expect.any(String),
        location: `${stack.config.publicUrl}/t/${tenant}/scim/v2/Users/${id}`, version: expect.stringMatching(/^W\/".+"$/),
      },
    });
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.headers.get('etag')).toBe(created.body.meta.version);
    const user = await getUser(db, tenant, id);
    expect(user).toMatchObject({ username: 'bjensen', name: 'Ms. Barbara J Jensen III', status: 'active', attributes: { given_name: 'Barbara', family_name: 'Jensen' } });
    const audit = (await listAudit(db, tenant)).filter((e) => e.type === 'admin.users.create');
    expect(audit).toEqual([expect.objectContaining({ actor: 'scim:provisioner', subject: id })]);
  });

  it('RFC 7643 §8.2\'s full user is accepted: what Tessera keeps is kept, the rest ignored', async () => {
    const { tenant, scim } = await setup();
    const created = await scim('POST', '/Users', {
      schemas: [USER], externalId: '701984', userName: 'bjensen@example.com',
      name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane', honorificPrefix: 'Ms.', honorificSuffix: 'III' },
      displayName: 'Babs Jensen', nickName: 'Babs', profileUrl: 'https://login.example.com/bjensen',
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
      addresses: [
        { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA', primary: true },
        { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', formatted: '456 Hollywood Blvd\nHollywood, CA 91608 USA' },
      ],
      phoneNumbers: [{ value: '555-555-5555', type: 'work' }, { value: '555-555-4444', type: 'mobile' }],
      ims: [{ value: 'someaimhandle', type: 'aim' }],
      photos: [{ value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo' }],
      userType: 'Employee', title: 'Tour Guide', preferredLanguage: 'en-US', locale: 'en-US', timezone: 'America/Los_Angeles',
      active: true, password: 't1meMa$heen',
      groups: [{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', $ref: 'https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' }],
      x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      externalId: '701984', userName: 'bjensen@example.com', displayName: 'Babs Jensen', nickName: 'Babs',
      name: { formatted: 'Babs Jensen', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane', honorificPrefix: 'Ms.', honorificSuffix: 'III' },
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '555-555-5555', type: 'work', primary: true }],
      addresses: [{ streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA',
        formatted: '100 Universal City Plaza, Hollywood, CA 91608 USA', type: 'work', primary: true }],
      userType: 'Employee', title: 'Tour Guide', preferredLanguage: 'en-US', locale: 'en-US', timezone: 'America/Los_Angeles', active: true,
    });
    // Read-only and unsupported attributes are ignored; the password is set and never shown.
    for (const ignored of ['groups', 'ims', 'photos', 'x509Certificates', 'password']) expect(created.body).not.toHaveProperty(ignored);
    expect(JSON.stringify(created.body)).not.toContain('t1meMa');
    const user = (await getUser(db, tenant, id))!;
    expect(user).toMatchObject({ email: 'bjensen@example.com', name: 'Babs Jensen' });
    expect(user.attributes).toMatchObject({ zoneinfo: 'America/Los_Angeles', phone_number: '555-555-5555', locality: 'Hollywood', profile: 'https://login.example.com/bjensen' });
    const [hash] = await db`SELECT hash FROM password_credentials WHERE tenant_id = ${tenant} AND user_id = ${id}`;
    expect(hash!.hash).toMatch(/^\$argon2id\$/);
    const audit = (await listAudit(db, tenant)).find((e) => e.type === 'admin.users.create');
    expect(JSON.stringify(audit)).not.toContain('t1meMa');
  });
});
