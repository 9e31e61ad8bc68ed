// The SAML schema check through its long-lived worker thread (core/saml/xmllint-*.ts): documents
// that break the SAML 2.0 schemas are refused exactly as before (an AuthnRequest at the IdP's SSO
// endpoint, a signed upstream Response at the SP), each verdict belongs to its own document when
// many are in flight, and a validator that stops answering refuses instead of letting documents by.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTenant } from '../../core/tenants/tenants.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { SAML_SCHEMAS, SchemaError, validateSamlSchema } from '../../core/saml/saml-schema-validator.ts';
import { XmllintValidator } from '../../core/saml/xmllint-validator.ts';
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

describe('the worker-thread validator', () => {
  it('accepts a valid AuthnRequest and refuses schema breaches, naming elements but no values', async () => {
    await expect(validateSamlSchema(request())).resolves.toBe('SUCCESS_VALIDATE_XML');
    const missing = validateSamlSchema(request('ForceAuthn="true"'));
    await expect(missing).rejects.toBeInstanceOf(SchemaError);
    await expect(missing).rejects.toThrow(/attribute 'Version' is required/);
    const unexpected = validateSamlSchema(request('Version="2.0"', '<saml:Issuer>x</saml:Issuer><samlp:Secret>s3cr3t-value</samlp:Secret>'));
    const reason = await unexpected.then(() => '', (err: Error) => err.message);
    expect(reason).toMatch(/Secret.*not expected/);
    expect(reason).not.toMatch(/s3cr3t-value/);
    await expect(validateSamlSchema(request('Version="2.0" ForceAuthn="maybe"'))).rejects.toBeInstanceOf(SchemaError);
    await expect(validateSamlSchema('<samlp:AuthnRequest')).rejects.toBeInstanceOf(SchemaError);
    await expect(validateSamlSchema('')).rejects.toBeInstanceOf(SchemaError);
    await expect(validateSamlSchema('<x xmlns="urn:example"/>')).rejects.toBeInstanceOf(SchemaError);
  });

  it('gives every document its own verdict when many are in flight', async () => {
    const docs = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? request('ForceAuthn="true"') : request()));
    const verdicts = await Promise.all(docs.map((d) => validateSamlSchema(d).then(() => 'valid', () => 'refused')));
    expect(verdicts).toEqual(docs.map((_, i) => (i % 3 === 0 ? 'refused' : 'valid')));
  });

  it('refuses what is in flight when the worker stops, and starts a fresh one after', async () => {
    const validator = new XmllintValidator(SAML_SCHEMAS);
    await expect(validator.validate(request())).resolves.toMatch(/validates/);
    const inFlight = Promise.allSettled(Array.from({ length: 50 }, () => validator.validate(request())));
    await validator.close();
    const settled = await inFlight;
    // Whatever was answered before the stop is a real verdict; the rest is refused, never "valid" by default.
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
    for (const s of settled) if (s.status === 'fulfilled') expect(s.value).toMatch(/^file_\d+\.xml validates\n$/);
    await expect(validator.validate(request('ForceAuthn="true"'))).resolves.toMatch(/Version/);
    await validator.close();
  });

  it('refuses a document that gets no answer in time', async () => {
    const validator = new XmllintValidator(SAML_SCHEMAS, 50);
    await validator.validate(request()).catch(() => undefined); // the worker is ready after this
    // Thousands of elements: xmllint needs far more than 50 ms for it.
    const slow = request('Version="2.0"', `<saml:Issuer>x</saml:Issuer><samlp:Extensions>${'<e xmlns="urn:x" a="1"/>'.repeat(30_000)}</samlp:Extensions>`);
    await expect(validator.validate(slow)).rejects.toThrow(/timed out/);
    await validator.close();
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
