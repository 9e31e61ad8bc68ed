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

describe('Users: replace and patch (RFC 7644 §3.5.1, §3.5.2)', () => {
  async function babs(scim: ScimClient) {
    const res = await scim('POST', '/Users', {
      schemas: [USER], userName: 'bjensen', externalId: 'bjensen', displayName: 'Babs Jensen', title: 'Tour Guide',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  it('§3.5.1 replaces a user: sent attributes set, mapped ones left out cleared, read-only ones ignored', async () => {
    const { tenant, scim } = await setup();
    const before = await babs(scim);
    const put = await scim('PUT', `/Users/${before.id}`, {
      schemas: [USER], id: before.id, userName: 'bjensen', externalId: 'bjensen',
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane' },
      roles: [], emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ id: before.id, userName: 'bjensen', displayName: 'Ms. Barbara J Jensen III', emails: [{ value: 'bjensen@example.com' }] });
    expect(put.body).not.toHaveProperty('title');
    expect(put.body.meta.version).not.toBe(before.meta.version);
    expect(put.headers.get('etag')).toBe(put.body.meta.version);
    const user = (await getUser(db, tenant, before.id))!;
    expect(user.attributes).toEqual({ given_name: 'Barbara', family_name: 'Jensen', middle_name: 'Jane' });
    expect(user.name).toBe('Ms. Barbara J Jensen III');
    expect((await listAudit(db, tenant)).filter((e) => e.type === 'admin.users.update')).toEqual([
      expect.objectContaining({ actor: 'scim:provisioner', subject: before.id }),
    ]);
  });

  it('§3.5.2.1 add without a path, §3.5.2.2 remove by a value filter, §3.5.2.3 replace by filters and without a path', async () => {
    const { tenant, scim } = await setup();
    const { id } = await babs(scim);
    const added = await scim('PATCH', `/Users/${id}`, patch({ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } }));
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    // Tessera keeps one email: the primary one stays.
    expect(added.body).toMatchObject({ nickName: 'Babs', emails: [{ value: 'bjensen@example.com', primary: true }] });

    const address = await scim('PATCH', `/Users/${id}`, patch({ op: 'add', path: 'addresses', value: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', primary: true }] }));
    expect(address.status, JSON.stringify(address.body)).toBe(200);
    const replacedAddress = await scim('PATCH', `/Users/${id}`, patch({
      op: 'replace', path: 'addresses[type eq "work"]',
      value: { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true },
    }));
    expect(replacedAddress.status, JSON.stringify(replacedAddress.body)).toBe(200);
    expect(replacedAddress.body.addresses).toEqual([{ formatted: '911 Universal City Plaza, Hollywood, CA 91608 US', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', type: 'work', primary: true }]);
    const street = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }));
    expect(street.body.addresses[0].streetAddress).toBe('1010 Broadway Ave');

    const noPath = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', value: {
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs',
    } }));
    expect(noPath.status).toBe(200);
    const work = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'barbara@example.com' }));
    expect(work.body.emails).toEqual([{ value: 'barbara@example.com', type: 'work', primary: true }]);
    expect((await getUser(db, tenant, id))!.email).toBe('barbara@example.com');

    const removed = await scim('PATCH', `/Users/${id}`, patch({ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }));
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty('emails');
    expect((await getUser(db, tenant, id))!.email).toBeNull();
  });

  it('deactivates and reactivates (active ↔ status), renames, takes a new password, and changes externalId', async () => {
    const { tenant, scim } = await setup();
    const { id } = await babs(scim);
    const off = await scim('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'False' }));
    expect(off.body.active).toBe(false);
    expect((await getUser(db, tenant, id))!.status).toBe('disabled');
    const on = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', value: { active: true, userName: 'barbara', externalId: 'b-42' } }));
    expect(on.body).toMatchObject({ active: true, userName: 'barbara', externalId: 'b-42' });
    expect((await getUser(db, tenant, id))!).toMatchObject({ status: 'active', username: 'barbara' });
    // Looked up the way provisioning clients do (by index, not by scanning): externalId is case-exact.
    const byExternal = (value: string) => scim('GET', `/Users?filter=${encodeURIComponent(`externalId eq "${value}"`)}`);
    expect((await byExternal('b-42')).body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    expect((await byExternal('B-42')).body.totalResults).toBe(0);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "BARBARA" and active eq false')}`)).body.totalResults).toBe(0);
    const formatted = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'name.formatted', value: 'Barbara Jensen' }));
    expect(formatted.body).toMatchObject({ displayName: 'Barbara Jensen', name: { formatted: 'Barbara Jensen' } });
    const password = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'password', value: 'a much longer passphrase 9' }));
    expect(password.status, JSON.stringify(password.body)).toBe(200);
    expect((await listAudit(db, tenant)).filter((e) => e.type === 'admin.users.set-password')).toHaveLength(1);
    const weak = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', value: { password: 'x', title: 'Boss' } }));
    expectError(weak, 400, 'invalidValue');
    expect((await getUser(db, tenant, id))!.attributes.title).toBe('Tour Guide');
    const gone = await scim('PATCH', `/Users/${id}`, patch({ op: 'remove', path: 'externalId' }));
    expect(gone.body).not.toHaveProperty('externalId');
    const externalIds = (await listAudit(db, tenant)).filter((e) => e.type === 'scim.users.external-id').map((e) => [e.actor, e.data]).reverse();
    expect(externalIds).toEqual([['scim:provisioner', { externalId: 'bjensen' }], ['scim:provisioner', { externalId: 'b-42' }], ['scim:provisioner', { externalId: null }]]);
  });

  it('refuses read-only targets, unknown attributes, bad values and a userName another user has; nothing changes', async () => {
    const { tenant, scim } = await setup();
    const { id, meta } = await babs(scim);
    await createUser(db, tenant, { username: 'taken', email: 'taken@example.com' });
    expectError(await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'id', value: 'x' })), 400, 'mutability');
    expectError(await scim('PATCH', `/Users/${id}`, patch({ op: 'add', path: 'groups', value: [{ value: id }] })), 400, 'mutability');
    expectError(await scim('PATCH', `/Users/${id}`, patch({ op: 'add', path: 'shoeSize', value: '9' })), 400, 'invalidPath');
    expectError(await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'emails[type eq "home"].value', value: 'x@y.z' })), 400, 'noTarget');
    expectError(await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'userName', value: 'TAKEN' })), 409, 'uniqueness');
    expectError(await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'taken@example.com' })), 409, 'uniqueness');
    expectError(await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'active', value: 'maybe' })), 400, 'invalidValue');
    expectError(await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'not an email' })), 400, 'invalidValue');
    expectError(await scim('PATCH', `/Users/${id}`, { Operations: [] }), 400, 'invalidSyntax');
    expectError(await scim('POST', '/Users', { schemas: [USER], userName: 'taken' }), 409, 'uniqueness');
    expectError(await scim('POST', '/Users', { schemas: [USER], displayName: 'No Name' }), 400, 'invalidValue');
    expectError(await scim('POST', '/Users', { userName: 'noschemas' }), 400, 'invalidSyntax');
    expectError(await scim('POST', '/Users', { schemas: [USER], userName: 'x', title: 'y'.repeat(500) }), 400, 'invalidValue');
    expectError(await scim('POST', '/Users', '{"schemas":', {}), 400, 'invalidSyntax');
    expectError(await scim('POST', '/Users', JSON.stringify({ schemas: [USER], userName: 'x' }), { 'content-type': 'text/plain' }), 415);
    expectError(await scim('GET', '/Users/00000000-0000-0000-0000-000000000000'), 404);
    expectError(await scim('GET', '/Users/not-a-uuid'), 404);
    expectError(await scim('DELETE', '/Users/not-a-uuid'), 404);
    const after = await scim('GET', `/Users/${id}`);
    expect(after.body.meta.version).toBe(meta.version);
    expect((await db`SELECT count(*)::int AS n FROM users WHERE tenant_id = ${tenant}`)[0]!.n).toBe(2);
  });

  it('ETags: If-None-Match → 304, a stale If-Match → 412 and nothing changes, a current one goes through', async () => {
    const { tenant, scim } = await setup();
    const { id, meta } = await babs(scim);
    const cached = await scim('GET', `/Users/${id}`, undefined, { 'if-none-match': meta.version });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(meta.version);
    expect((await scim('GET', `/Users/${id}`, undefined, { 'if-none-match': 'W/"other"' })).status).toBe(200);
    const changed = await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'Guide' }), { 'if-match': meta.version });
    expect(changed.status).toBe(200);
    expectError(await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'Lost update' }), { 'if-match': meta.version }), 412);
    expectError(await scim('PUT', `/Users/${id}`, { schemas: [USER], userName: 'lost' }, { 'if-match': meta.version }), 412);
    expectError(await scim('DELETE', `/Users/${id}`, undefined, { 'if-match': meta.version }), 412);
    expect((await getUser(db, tenant, id))!).toMatchObject({ username: 'bjensen', attributes: { title: 'Guide' } });
    expect((await scim('DELETE', `/Users/${id}`, undefined, { 'if-match': changed.body.meta.version })).status).toBe(204);
    expect(await getUser(db, tenant, id)).toBeUndefined();
    expectError(await scim('GET', `/Users/${id}`), 404);
    expect((await listAudit(db, tenant)).filter((e) => e.type === 'admin.users.delete')).toEqual([expect.objectContaining({ actor: 'scim:provisioner' })]);
  });
});

describe('Users: list, filter, sort, page', () => {
  it('filters with every operator, sorts, pages, projects attributes, and searches by POST', async () => {
    const { tenant, scim } = await setup();
    const people = [
      ['alice', 'alice@work.example', 'Alice Archer', 'Engineer'], ['bob', 'bob@home.example', 'Bob Baker', undefined],
      ['carol', 'carol@work.example', 'Carol Clark', 'Manager'], ['dave', 'dave@work.example', 'Dave Dunn', 'Engineer'],
      ['erin', 'erin@home.example', 'Erin Evans', undefined],
    ] as const;
    for (const [userName, email, displayName, title] of people) {
      const res = await scim('POST', '/Users', { schemas: [USER], userName, displayName, emails: [{ value: email, type: 'work' }], ...(title ? { title } : {}), active: userName !== 'erin' });
      expect(res.status).toBe(201);
    }
    const names = async (query: string) => {
      const res = await scim('GET', `/Users?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.Resources.map((r: any) => r.userName);
    };
    const f = (filter: string) => `filter=${encodeURIComponent(filter)}`;
    expect(await names(f('userName eq "Carol"'))).toEqual(['carol']);
    expect(await names(f('userName ne "carol"'))).toEqual(['alice', 'bob', 'dave', 'erin']);
    expect(await names(f('displayName co "ar"'))).toEqual(['alice', 'carol']);
    expect(await names(f('userName sw "d"'))).toEqual(['dave']);
    expect(await names(f('emails ew "@home.example"'))).toEqual(['bob', 'erin']);
    expect(await names(f('title pr'))).toEqual(['alice', 'carol', 'dave']);
    expect(await names(f('title eq "engineer" and not (userName eq "dave")'))).toEqual(['alice']);
    expect(await names(f('(userName eq "bob" or userName eq "erin") and active eq true'))).toEqual(['bob']);
    expect(await names(f('emails[type eq "work" and value co "@work."]'))).toEqual(['alice', 'carol', 'dave']);
    expect(await names(f('userName gt "c" and userName le "dave"'))).toEqual(['carol', 'dave']);
    expect(await names(f('meta.lastModified gt "2000-01-01T00:00:00Z"'))).toHaveLength(5);
    expect(await names(f('meta.created lt "2000-01-01T00:00:00Z"'))).toEqual([]);
    expect(await names(f(`${USER}:userName eq "alice"`))).toEqual(['alice']);
    expect(await names(f('USERNAME EQ "alice"'))).toEqual(['alice']);

    const page = await scim('GET', `/Users?${f('title pr')}&sortBy=userName&sortOrder=descending&startIndex=2&count=1`);
    expect(page.body).toMatchObject({ schemas: [LIST], totalResults: 3, startIndex: 2, itemsPerPage: 1, Resources: [{ userName: 'carol' }] });
    expect(await names('sortBy=title&count=10')).toEqual(['alice', 'dave', 'carol', 'bob', 'erin']);
    const none = await scim('GET', '/Users?count=0');
    expect(none.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    const beyond = await scim('GET', '/Users?startIndex=10');
    expect(beyond.body).toMatchObject({ totalResults: 5, startIndex: 10, itemsPerPage: 0 });
    const projected = await scim('GET', `/Users?${f('userName eq "alice"')}&attributes=userName,emails.value`);
    expect(projected.body.Resources).toEqual([{ schemas: [USER], id: expect.any(String), userName: 'alice', emails: [{ value: 'alice@work.example' }] }]);
    const excluded = await scim('GET', `/Users?${f('userName eq "alice"')}&excludedAttributes=emails,meta`);
    expect(excluded.body.Resources[0]).not.toHaveProperty('emails');
    expect(excluded.body.Resources[0]).not.toHaveProperty('meta');

    const search = await scim('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'displayName sw "b" or displayName sw "e"',
      attributes: ['displayName'], sortBy: 'displayName', startIndex: 1, count: 10,
    });
    expect(search.status, JSON.stringify(search.body)).toBe(200);
    expect(search.body.Resources.map((r: any) => r.displayName)).toEqual(['Bob Baker', 'Erin Evans']);

    expectError(await scim('GET', `/Users?${f('userName eq')}`), 400, 'invalidFilter');
    expectError(await scim('GET', `/Users?${f('userName co true')}`), 400, 'invalidFilter');
    expectError(await scim('GET', `/Users?${f('(((userName pr')}`), 400, 'invalidFilter');
    expectError(await scim('GET', '/Users?count=ten'), 400, 'invalidValue');
    expectError(await scim('GET', '/Users?sortOrder=sideways'), 400, 'invalidValue');
    void tenant;
  });
});

describe('Groups', () => {
  async function users(scim: ScimClient, ...names: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const userName of names) {
      const res = await scim('POST', '/Users', { schemas: [USER], userName, displayName: userName });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    return ids;
  }

  it('RFC 7643 §8.4\'s group is created with its members; §3.5.2 adds, removes and replaces members; a rename and delete go through', async () => {
    const { tenant, scim } = await setup();
    const [babs, mandy, james] = await users(scim, 'bjensen', 'mandy', 'jsmith');
    const base = `${stack.config.publicUrl}/t/${tenant}/scim/v2`;
    const created = await scim('POST', '/Groups', {
      schemas: [GROUP], displayName: 'Tour Guides', externalId: 'tg-1',
      members: [
        { value: babs, $ref: `https://example.com/v2/Users/${babs}`, display: 'Babs Jensen' },
        { value: mandy, $ref: `https://example.com/v2/Users/${mandy}`, display: 'Mandy Pepperidge' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toEqual({
      schemas: [GROUP], id, externalId: 'tg-1', displayName: 'Tour Guides',
      members: [
        { value: babs, $ref: `${base}/Users/${babs}`, display: 'bjensen', type: 'User' },
        { value: mandy, $ref: `${base}/Users/${mandy}`, display: 'mandy', type: 'User' },
      ],
      meta: { resourceType: 'Group', created: expect.any(String), lastModified: expect.any(String), location: `${base}/Groups/${id}`, version: expect.any(String) },
    });
    expect(created.headers.get('location')).toBe(`${base}/Groups/${id}`);
    expect((await getGroup(db, tenant, id))!).toMatchObject({ name: 'Tour Guides', members: 2 });
    // The user shows the group, read-only.
    expect((await scim('GET', `/Users/${babs}`)).body.groups).toEqual([{ value: id, $ref: `${base}/Groups/${id}`, display: 'Tour Guides', type: 'direct' }]);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent(`groups eq "${id}"`)}`)).body.totalResults).toBe(2);

    const memberIds = (res: { body: any }) => (res.body.members ?? []).map((m: any) => m.value).sort();
    // §3.5.2.1
    const added = await scim('PATCH', `/Groups/${id}`, patch({ op: 'add', path: 'members', value: [{ display: 'James Smith', $ref: `https://example.com/v2/Users/${james}`, value: james }] }));
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(memberIds(added)).toEqual([babs, mandy, james].sort());
    // §3.5.2.2: one member by a filter; all members; all members then new ones.
    const removed = await scim('PATCH', `/Groups/${id}`, patch({ op: 'remove', path: `members[value eq "${babs}"]` }));
    expect(memberIds(removed)).toEqual([mandy, james].sort());
    const emptied = await scim('PATCH', `/Groups/${id}`, patch({ op: 'remove', path: 'members' }));
    expect(emptied.body.members).toEqual([]);
    const swapped = await scim('PATCH', `/Groups/${id}`, patch(
      { op: 'remove', path: 'members' },
      { op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: `https://example.com/v2/Users/${babs}`, value: babs }, { display: 'James Smith', $ref: `https://example.com/v2/Users/${james}`, value: james }] },
    ));
    expect(memberIds(swapped)).toEqual([babs, james].sort());
    // §3.5.2.3
    const replaced = await scim('PATCH', `/Groups/${id}`, patch({ op: 'replace', path: 'members', value: [{ display: 'Mandy Pepperidge', value: mandy }] }));
    expect(memberIds(replaced)).toEqual([mandy]);
    // Azure AD's removal with a value list, and a rename.
    const azure = await scim('PATCH', `/Groups/${id}`, patch({ op: 'Remove', path: 'members', value: [{ value: mandy }] }, { op: 'Replace', path: 'displayName', value: 'Guides' }));
    expect(azure.body).toMatchObject({ displayName: 'Guides', members: [] });
    expect(await findGroupByName(db, tenant, 'Guides')).toBeDefined();

    // PUT replaces name and members.
    const put = await scim('PUT', `/Groups/${id}`, { schemas: [GROUP], displayName: 'Tour Guides', members: [{ value: babs }, { value: mandy }] });
    expect(put.status).toBe(200);
    expect(memberIds(put)).toEqual([babs, mandy].sort());
    expect(put.body).not.toHaveProperty('externalId');

    expect((await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "TOUR GUIDES"')}`)).body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    const list = await scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${mandy}"] and displayName sw "tour"`)}`);
    expect(list.body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    const stale = created.body.meta.version;
    expectError(await scim('DELETE', `/Groups/${id}`, undefined, { 'if-match': stale }), 412);
    expect((await scim('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect(await getGroup(db, tenant, id)).toBeUndefined();
    expectError(await scim('GET', `/Groups/${id}`), 404);

    const types = (await listAudit(db, tenant, 500)).filter((e) => e.type.startsWith('admin.groups.'));
    expect(new Set(types.map((e) => e.type))).toEqual(new Set(['admin.groups.create', 'admin.groups.add-member', 'admin.groups.remove-member', 'admin.groups.update', 'admin.groups.delete']));
    expect(types.every((e) => e.actor === 'scim:provisioner')).toBe(true);
  });

  it('refuses unknown users, nested groups, taken and reserved names, changing nothing', async () => {
    const { tenant, scim } = await setup();
    const [babs] = await users(scim, 'bjensen');
    const before = await db`SELECT count(*)::int AS n FROM groups WHERE tenant_id = ${tenant}`;
    expectError(await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Ghosts', members: [{ value: babs }, { value: '00000000-0000-0000-0000-000000000000' }] }), 400, 'invalidValue');
    expectError(await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Nested', members: [{ value: babs, type: 'Group' }] }), 400, 'invalidValue');
    expectError(await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'tessera-admins' }), 400, 'invalidValue');
    expectError(await scim('POST', '/Groups', { schemas: [GROUP] }), 400, 'invalidValue');
    expect(await db`SELECT count(*)::int AS n FROM groups WHERE tenant_id = ${tenant}`).toEqual(before);
    const ok = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Guides' });
    expectError(await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Guides' }), 409, 'uniqueness');
    expectError(await scim('PATCH', `/Groups/${ok.body.id}`, patch({ op: 'add', path: 'members', value: [{ value: 'nobody' }] })), 400, 'invalidValue');
    expectError(await scim('PATCH', `/Groups/${ok.body.id}`, patch({ op: 'replace', path: 'members[value eq "x"].display', value: 'y' })), 400, 'mutability');
  });

  it('role groups (admin roles) are not SCIM\'s: not listed, not shown among a user\'s groups, not found, not changed', async () => {
    const { tenant, scim } = await setup();
    const admin = await createUser(db, tenant, { username: 'root', email: 'root@example.com' });
    await grantRole(db, tenant, admin.id, 'tenant-admin');
    const [role] = await db`SELECT id, name FROM groups WHERE tenant_id = ${tenant} AND role IS NOT NULL`;
    expect(role).toBeDefined();
    expect((await scim('GET', '/Groups')).body.totalResults).toBe(0);
    expect((await scim('GET', `/Users/${admin.id}`)).body).not.toHaveProperty('groups');
    expectError(await scim('GET', `/Groups/${role!.id}`), 404);
    expectError(await scim('PATCH', `/Groups/${role!.id}`, patch({ op: 'remove', path: 'members' })), 404);
    expectError(await scim('DELETE', `/Groups/${role!.id}`), 404);
    const [who] = await db`SELECT count(*)::int AS n FROM user_groups WHERE tenant_id = ${tenant} AND name = ${role!.name}`;
    expect(who!.n).toBe(1);
  });
});

describe('SCIM tokens through the management API and the CLI', () => {
  it('creates (shown once), lists without the token, revokes; the OpenAPI document lists the resource', async () => {
    const tenant = uniqueTenantId('scimtok');
    await createTenant(db, tenant);
    const { token: adminToken } = await createAdminToken(db, tenant, 'ops');
    const api = (method: string, path: string, body?: unknown) => adminRequest(stack.url, tenant, adminToken, method, path, body);
    const created = await api('POST', '/scim-tokens', { name: 'azure' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'azure', status: 'active', token: expect.stringMatching(/^tsc_[A-Za-z0-9_-]{43}$/) });
    const scim = scimClient(stack.url, tenant, created.body.token);
    expect((await scim('GET', '/Users')).status).toBe(200);
    expect((await api('POST', '/scim-tokens', { name: 'azure' })).status).toBe(409);
    expect((await api('POST', '/scim-tokens', { name: 'bad name' })).status).toBe(400);
    const list = await api('GET', '/scim-tokens');
    expect(list.body.items).toEqual([expect.objectContaining({ name: 'azure', status: 'active', lastUsedAt: expect.any(String) })]);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token.slice(4));
    expect((await api('DELETE', '/scim-tokens/azure')).status).toBe(204);
    expect((await api('DELETE', '/scim-tokens/azure')).status).toBe(404);
    expectError(await scim('GET', '/Users'), 401);
    expect((await api('GET', '/scim-tokens')).body.items).toEqual([expect.objectContaining({ name: 'azure', status: 'revoked' })]);
    const audit = (await listAudit(db, tenant)).filter((e) => e.type.startsWith('admin.scim-tokens.'));
    expect(audit.map((e) => e.type).sort()).toEqual(['admin.scim-tokens.create', 'admin.scim-tokens.revoke']);
    expect(JSON.stringify(audit)).not.toContain(created.body.token.slice(4));

    const doc = (await (await fetch(`${stack.url}/api/admin/openapi.json`)).json()) as { paths: Record<string, Record<string, any>> };
    const path = Object.keys(doc.paths).find((p) => p.endsWith('/scim-tokens'))!;
    expect(Object.keys(doc.paths[path]!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths).some((p) => p.endsWith('/scim-tokens/{name}'))).toBe(true);
  });

  it('tessera scim-tokens create prints a working token once; list and revoke', async () => {
    const tenant = uniqueTenantId('scimcli');
    await createTenant(db, tenant);
    const env = { DATABASE_URL: inject('databaseUrl'), DATA_DIR: inject('scratchDir') };
    const created = await runTessera(['scim-tokens', 'create', '--tenant', tenant, '--name', 'okta'], env);
    expect(created.code, created.stderr).toBe(0);
    const token = /^(tsc_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    expect(token).toBeDefined();
    expect(await findScimToken(db, tenant, token!)).toMatchObject({ name: 'okta' });
    expect((await scimClient(stack.url, tenant, token)('GET', '/Groups')).status).toBe(200);
    const list = await runTessera(['scim-tokens', 'list', '--tenant', tenant, '--json'], env);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'okta', status: 'active' })]);
    expect(list.stdout).not.toContain(token!.slice(4));
    const revoked = await runTessera(['scim-tokens', 'revoke', '--tenant', tenant, '--name', 'okta'], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await findScimToken(db, tenant, token!)).toBeUndefined();
    const again = await runTessera(['scim-tokens', 'revoke', '--tenant', tenant, '--name', 'okta'], env);
    expect(again.code).not.toBe(0);
    expect((await listAudit(db, tenant)).find((e) => e.type === 'admin.scim-tokens.create')?.actor).toMatch(/^cli/);
  });
});
