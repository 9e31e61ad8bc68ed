// SAML SPs through the management API: register from metadata XML or a URL the server fetches
// (http(s) only, bounded, never link-local or metadata addresses), the entity id URL-encoded as
// the path id, settings changed with PATCH (If-Match → 412 when stale), metadata refreshed only for
// the same entity, delete, role checks and the audit events.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SAML } from '@node-saml/node-saml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getSamlSp } from '../../core/saml/saml-sps.ts';
import { adminTenant, auditEvents, type Api } from '../support/admin-roles.ts';
import { spKeys } from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const stack = useStack();
const { db } = stack;
let tenant: string;
let api: Api;
// Slashes, a colon and a query: the id must survive as one URL-encoded path segment.
const ENTITY = 'https://api-sp.example/sp/metadata?v=1';
const OTHER = 'https://url-sp.example/metadata';
const path = (entityId: string) => `/saml-sps/${encodeURIComponent(entityId)}`;
let metadata: string;
let otherMetadata: string;
let plainMetadata: string;
let server: Server;
let base: string;
const served: Record<string, (res: import('node:http').ServerResponse) => void> = {};

async function metadataFor(entityId: string, acs: string, withEncryption: boolean): Promise<string> {
  const enc = await spKeys(1);
  const sp = new SAML({ callbackUrl: acs, issuer: entityId, idpCert: 'unused', ...(withEncryption ? { decryptionPvk: enc.privateKeyPem } : {}) });
  return sp.generateServiceProviderMetadata(withEncryption ? enc.certificatePem : null, null);
}

beforeAll(async () => {
  ({ tenant, api } = await adminTenant(db, () => stack.url, 'sps'));
  metadata = await metadataFor(ENTITY, 'https://api-sp.example/acs', true);
  otherMetadata = await metadataFor(OTHER, 'https://url-sp.example/acs', false);
  plainMetadata = await metadataFor(ENTITY, 'https://api-sp.example/acs2', false);
  served['/metadata.xml'] = (res) => res.writeHead(200, { 'content-type': 'application/xml' }).end(otherMetadata);
  served['/huge.xml'] = (res) => res.writeHead(200).end(`${otherMetadata}<!--${'a'.repeat(300 * 1024)}-->`);
  served['/to-metadata-service'] = (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
  served['/missing'] = (res) => res.writeHead(404).end('secret internal page');
  server = createServer((req, res) => (served[req.url ?? ''] ?? served['/missing']!)(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('registering', () => {
  it('registers from metadata XML with settings; the entity id is the URL-encoded path id', async () => {
    const res = await api('POST', '/saml-sps', { metadataXml: metadata, settings: { nameIdFormat: 'persistent', encryptAssertion: true, attributes: { mail: 'email' } } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      entityId: ENTITY, acs: [{ url: 'https://api-sp.example/acs', binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST' }],
      encryptionCert: expect.any(String), metadata,
      settings: { nameIdFormat: 'persistent', encryptAssertion: true, attributes: { mail: 'email' }, signResponse: true, idpInitiated: true },
    });
    const one = await api('GET', path(ENTITY));
    expect(one.status).toBe(200);
    expect(one.body.entityId).toBe(ENTITY);
    expect(one.headers.get('etag')).toMatch(/^W\//);
    expect(await auditEvents(db, tenant, 'saml_sp.added')).toEqual([
      expect.objectContaining({ actor: 'admin:ops', subject: ENTITY, data: expect.objectContaining({ entityId: ENTITY, from: 'xml' }) }),
    ]);
  });

  it('refuses the same entity again (409) unless replace, and unusable metadata or settings (400)', async () => {
    expect(await api('POST', '/saml-sps', { metadataXml: metadata })).toMatchObject({ status: 409, body: { error: { code: 'saml_sp_exists' } } });
    const doctype = await api('POST', '/saml-sps', { metadataXml: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' });
    expect(doctype).toMatchObject({ status: 400, body: { error: { code: 'invalid_metadata', message: expect.stringMatching(/DOCTYPE/) } } });
    expect((await api('POST', '/saml-sps', { metadataXml: otherMetadata, settings: { encryptAssertion: true } })).body.error.code).toBe('invalid_metadata');
    expect((await api('POST', '/saml-sps', {})).status).toBe(400);
    expect((await api('POST', '/saml-sps', { metadataXml: metadata, metadataUrl: `${base}/metadata.xml` })).status).toBe(400);
    expect((await api('POST', '/saml-sps', { metadataXml: metadata, settings: { nameIdFormat: 'kerberos' } })).status).toBe(400);
    expect((await api('POST', '/saml-sps', { metadataXml: metadata, owner: 'me' })).status).toBe(400);
    expect(await getSamlSp(db, tenant, OTHER)).toBeUndefined();
    expect((await getSamlSp(db, tenant, ENTITY))?.settings.nameIdFormat).toBe('persistent');
  });

  it('fetches metadata from a URL, and refuses URLs that are not http(s), link-local or metadata addresses, too large or missing', async () => {
    const res = await api('POST', '/saml-sps', { metadataUrl: `${base}/metadata.xml` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.entityId).toBe(OTHER);
    expect((await auditEvents(db, tenant, 'saml_sp.added')).at(-1)?.data).toMatchObject({ from: 'url', url: `${base}/metadata.xml` });
    for (const [url, message] of [
      ['file:///etc/passwd', /http\(s\)/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://[::ffff:169.254.169.254]/', /link-local/],
      ['http://[fe80::1]/', /link-local/],
      ['http://0.0.0.0/', /link-local/],
      ['http://user:pw@example.org/', /credentials/],
      [`${base}/to-metadata-service`, /link-local/],
      [`${base}/huge.xml`, /larger than 256 KiB/],
      [`${base}/missing`, /HTTP 404/],
    ] as const) {
      const refused = await api('POST', '/saml-sps', { metadataUrl: url, replace: true });
      expect(refused.status, url).toBe(400);
      expect(refused.body.error.code, url).toBe('metadata_fetch_failed');
      expect(refused.body.error.message, url).toMatch(message);
      expect(refused.body.error.message).not.toContain('secret internal page');
    }
  });
});

describe('reading', () => {
  it('lists by entity id, a page at a time, and answers 404 for unknown ids', async () => {
    const all = await api('GET', '/saml-sps');
    expect(all.body.items.map((sp: { entityId: string }) => sp.entityId)).toEqual([ENTITY, OTHER]);
    expect(all.body.items[0]).not.toHaveProperty('metadata');
    const first = await api('GET', '/saml-sps?limit=1');
    expect((await api('GET', `/saml-sps?limit=1&cursor=${first.body.next}`)).body).toEqual({ items: [expect.objectContaining({ entityId: OTHER })], next: null });
    expect((await api('GET', path('https://nobody.example/'))).body.error.code).toBe('not_found');
    expect((await api('GET', '/saml-sps/https%3A')).body.error.code).toBe('not_found');
  });
});

describe('changing', () => {
  it('changes settings (the metadata wins where it must), refuses stale If-Match and another entity\'s metadata', async () => {
    const etag = (await api('GET', path(ENTITY))).headers.get('etag')!;
    const res = await api('PATCH', path(ENTITY), { settings: { idpInitiated: false, attributes: { memberOf: 'groups' } } }, { 'if-match': etag });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.settings).toMatchObject({ idpInitiated: false, attributes: { memberOf: 'groups' }, nameIdFormat: 'persistent', encryptAssertion: true });
    expect(await auditEvents(db, tenant, 'saml_sp.updated')).toEqual([
      expect.objectContaining({ actor: 'admin:ops', subject: ENTITY, data: { entityId: ENTITY, fields: ['settings.attributes', 'settings.idpInitiated'] } }),
    ]);
    expect((await api('PATCH', path(ENTITY), { settings: { idpInitiated: true } }, { 'if-match': etag })).status).toBe(412);
    expect((await api('PATCH', path(ENTITY), { metadataXml: otherMetadata })).body.error).toMatchObject({ code: 'invalid_metadata', message: expect.stringMatching(/another entity/) });
    expect((await api('PATCH', path(ENTITY), { metadataXml: plainMetadata })).body.error.message).toMatch(/encryption certificate/);
    expect((await api('PATCH', path(ENTITY), { settings: { signResponse: 'yes' } })).status).toBe(400);
    expect((await api('PATCH', path('https://nobody.example/'), { settings: {} })).status).toBe(404);
    expect((await getSamlSp(db, tenant, ENTITY))?.settings.idpInitiated).toBe(false);
  });

  it('refreshes the metadata of the same entity', async () => {
    const res = await api('PATCH', path(ENTITY), { metadataXml: plainMetadata, settings: { encryptAssertion: false } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.acs.map((a: { url: string }) => a.url)).toEqual(['https://api-sp.example/acs2']);
    expect((await getSamlSp(db, tenant, ENTITY))?.metadata).toBe(plainMetadata);
  });

  it('deletes by URL-encoded entity id, then answers 404', async () => {
    expect((await api('DELETE', path(OTHER))).status).toBe(204);
    expect(await getSamlSp(db, tenant, OTHER)).toBeUndefined();
    expect((await api('DELETE', path(OTHER))).status).toBe(404);
    expect(await auditEvents(db, tenant, 'saml_sp.deleted')).toEqual([expect.objectContaining({ actor: 'admin:ops', subject: OTHER })]);
  });
});

describe('who may', () => {
  it('lets an auditor read but not change, an approver nothing, and hides the tenant from another tenant\'s admin', async () => {
    expect((await api('GET', path(ENTITY), undefined, undefined, 'audit')).status).toBe(200);
    expect((await api('PATCH', path(ENTITY), { settings: { idpInitiated: true } }, undefined, 'audit')).status).toBe(403);
    expect((await api('POST', '/saml-sps', { metadataXml: otherMetadata }, undefined, 'audit')).status).toBe(403);
    expect((await api('DELETE', path(ENTITY), undefined, undefined, 'audit')).status).toBe(403);
    expect((await api('GET', '/saml-sps', undefined, undefined, 'appr')).status).toBe(403);
    expect(await api('GET', path(ENTITY), undefined, undefined, 'stranger')).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
    expect((await api('DELETE', path(ENTITY), undefined, undefined, 'stranger')).status).toBe(404);
    expect(await getSamlSp(db, tenant, ENTITY)).toBeDefined();
    expect(await getSamlSp(db, tenant, OTHER)).toBeUndefined();
  });
});
