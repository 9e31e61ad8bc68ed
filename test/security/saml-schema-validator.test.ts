// The SAML schema check (core/saml/saml-schema-validator.ts, libxml2 compiled to WebAssembly in
// xsd-schema-set.ts): documents that break the SAML 2.0 schemas are refused (an AuthnRequest at
// the IdP's SSO endpoint, a signed upstream Response at the SP), refusals name the schema's words
// but never the document's values, each verdict belongs to its own document, and nothing a
// document says makes libxml2 read a file or the network.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTenant } from '../../core/tenants/tenants.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { SAML_SCHEMAS, SchemaError, validateSamlSchema } from '../../core/saml/saml-schema-validator.ts';
import { XsdSchemaSet } from '../../core/saml/xsd-schema-set.ts';
import { createSamlUpstream } from '../../activities/federation/saml-upstream.ts';
import { tenantWithUser, uniqueTenantId } from '../support/harness.ts';
import { OidcBrowser, parseForm } from '../support/oidc-browser.ts';
import { nodeSamlSp, rawRequestXml, redirectUrlFor, ssoUrl } from '../support/saml-sps.ts';
import { createTestIdp, decode, encode, issueResponse, samlIdentityProvider, testCredentials } from '../support/saml-test-idp.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });

const request = (attrs = 'Version="2.0"', body = '<saml:Issuer>https://sp.example</saml:Issuer>') =>
  `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" ${attrs} IssueInstant="2026-01-01T00:00:00Z">${body}</samlp:AuthnRequest>`;

describe('the validator', () => {
  it('accepts a valid AuthnRequest and refuses schema breaches, naming elements but no values', async () => {
    await expect(validateSamlSchema(request())).resolves.toBe('SUCCESS_VALIDATE_XML');
    const missing = validateSamlSchema(request('ForceAuthn="true"'));
    await expect(missing).rejects.toBeInstanceOf(SchemaError);
    await expect(missing).rejects.toThrow(/attribute 'Version' is required/);
    const unexpected = validateSamlSchema(request('Version="2.0"', '<saml:Issuer>x</saml:Issuer><samlp:Secret>s3cr3t-value</samlp:Secret>'));
    const reason = await unexpected.then(() => '', (err: Error) => err.message);
    expect(reason).toMatch(/Secret.*not expected/);
    expect(reason).not.toMatch(/s3cr3t-value/);
    const badValue = await validateSamlSchema(request('Version="2.0" ForceAuthn="m4ybe-secret"')).then(() => '', (err: Error) => err.message);
    expect(badValue).toMatch(/ForceAuthn/);
    expect(badValue).not.toMatch(/m4ybe-secret/);
    await expect(validateSamlSchema('<samlp:AuthnRequest')).rejects.toBeInstanceOf(SchemaError);
    await expect(validateSamlSchema('')).rejects.toBeInstanceOf(SchemaError);
    await expect(validateSamlSchema('<x xmlns="urn:example"/>')).rejects.toBeInstanceOf(SchemaError);
    await expect(validateSamlSchema(`<!DOCTYPE r>${request()}`)).rejects.toThrow(/DOCTYPE/);
  });

  it('gives every document its own verdict when many are in flight', async () => {
    const docs = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? request('ForceAuthn="true"') : request()));
    const verdicts = await Promise.all(docs.map((d) => validateSamlSchema(d).then(() => 'valid', () => 'refused')));
    expect(verdicts).toEqual(docs.map((_, i) => (i % 3 === 0 ? 'refused' : 'valid')));
  });

  describe('reads nothing a document points at', () => {
    let server: Server;
    let hits = 0;
    let base: string;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        hits++;
        res.writeHead(200, { 'content-type': 'application/xml' }).end('<!ENTITY leak "LEAKED">');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    // Straight at the schema set: validateSamlSchema refuses any DOCTYPE before libxml2 sees it.
    const set = () => new XsdSchemaSet('saml-test', Object.fromEntries(SAML_SCHEMAS.map((t, i) => [`file_${i}.xsd`, t])), `file_${SAML_SCHEMAS.length - 1}.xsd`);

    it('no external entity, external DTD, schema location or XInclude is fetched, and a file entity refuses the document', async () => {
      const schemas = set();
      const issuer = (inner: string) => request('Version="2.0"', `<saml:Issuer>${inner}</saml:Issuer>`);
      const fileEntity = `<!DOCTYPE samlp:AuthnRequest [<!ENTITY x SYSTEM "file:///etc/hostname">]>${issuer('&x;')}`;
      expect(schemas.errors(fileEntity)).not.toEqual([]);
      for (const doc of [
        `<!DOCTYPE samlp:AuthnRequest [<!ENTITY x SYSTEM "${base}/general">]>${issuer('&x;')}`,
        `<!DOCTYPE samlp:AuthnRequest [<!ENTITY % p SYSTEM "${base}/parameter"> %p;]>${issuer('x')}`,
        `<!DOCTYPE samlp:AuthnRequest SYSTEM "${base}/dtd">${issuer('x')}`,
        request(`Version="2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:oasis:names:tc:SAML:2.0:protocol ${base}/xsd"`),
        request('Version="2.0"', `<saml:Issuer>x</saml:Issuer><samlp:Extensions><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="${base}/xinclude"/></samlp:Extensions>`),
      ]) {
        expect(schemas.errors(doc).join(' ')).not.toMatch(/LEAKED/);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(hits).toBe(0);
    });
  });
});

describe('through the protocol endpoints', () => {
  it('the IdP refuses a schema-invalid AuthnRequest from a registered SP with a page, nothing posted', async () => {
    const user = await tenantWithUser(stack.db);
    const sp = await nodeSamlSp(stack.db, stack.url, user.tenant, { entityId: 'https://schema.example/metadata' });
    const xml = rawRequestXml({ issuer: sp.entityId, attrs: ' ForceAuthn="maybe"' });
    const landing = await new OidcBrowser(stack.url, user.tenant).follow(redirectUrlFor(ssoUrl(stack.url, user.tenant), xml));
    if (landing.kind !== 'page') throw new Error(`expected a refusal page, got ${landing.kind}`);
    expect(landing.status).toBe(400);
    expect(parseForm(landing.html)).toBeUndefined();
    expect(landing.html).toContain('schema');
    const events = await listAudit(stack.db, user.tenant, 10);
    expect(events.some((e) => e.type === 'saml.request_refused' && e.data?.code === 'schema')).toBe(true);
    // The same request, schema-valid, goes on to a journey.
    const valid = await new OidcBrowser(stack.url, user.tenant).follow(redirectUrlFor(ssoUrl(stack.url, user.tenant), rawRequestXml({ issuer: sp.entityId })));
    expect(valid.kind).toBe('journey');
  });

  describe('the SP', () => {
    let tenant: string;
    beforeAll(async () => {
      tenant = uniqueTenantId('samlschema');
      await createTenant(stack.db, tenant);
    });
    afterAll(async () => { await stack.db`DELETE FROM tenants WHERE id = ${tenant}`; });

    it('refuses a validly signed upstream Response that breaks the schema (invalid_xml)', async () => {
      const [idp, sp] = await Promise.all([createTestIdp(), testCredentials('sp')]);
      const urls = upstreamUrls('https://sp.example', tenant, 'corp');
      const xml = decode(await issueResponse(idp, {
        sp: { entityId: urls.spEntityId, acs: urls.acs, certificatePem: sp.certificatePem }, inResponseTo: '_req-1', sign: 'both',
      }));
      const broken = xml.replace(/<\/(\w+:)?Response>\s*$/, (end, prefix = '') => `<${prefix}Unexpected/>${end}`);
      expect(broken).not.toBe(xml);
      const finish = (doc: string) => createSamlUpstream({ db: stack.db, credentials: async () => sp }).finish({
        idp: samlIdentityProvider(tenant, 'corp', idp), urls, params: { SAMLResponse: encode(doc), RelayState: 'r' }, kept: { requestId: '_req-1' },
      });
      await expect(finish(broken)).rejects.toMatchObject({ name: 'UpstreamError', code: 'invalid_xml' });
    });
  });
});
