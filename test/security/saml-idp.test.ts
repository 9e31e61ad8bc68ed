// Tessera as a SAML IdP, refusing what it must (SECURITY-CHECKLIST "SAML / As IdP", issue 6 "Bad
// input"): each refusal is a page (no form posted anywhere) and an audit event, unless the SP and
// its ACS are registered and the SP should hear it (then an error Response to that ACS). Each test
// would pass a request through without its check.
import { generateKeyPairSync } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { listAudit } from '../../core/infra/audit.ts';
import { savePending } from '../../core/saml/saml-pending.ts';
import { addSamlSp, SpMetadataError } from '../../core/saml/saml-sps.ts';
import { createUser } from '../../core/accounts/users.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser, parseForm, type Landing } from '../support/oidc-browser.ts';
import {
  nodeSamlSp, postedMessage, rawRequestXml, redirectUrlFor, samlifySp, spKeys, ssoUrl, sloUrl, type NodeSamlSp,
} from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let tenant: string;
let plain: NodeSamlSp;
let signing: NodeSamlSp;
const answers = () => ({ username: user.login, password: user.password });
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  tenant = user.tenant;
  plain = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://plain.example/metadata' });
  signing = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://signing.example/metadata', sign: true, slo: 'https://signing.example/slo' });
});

/** A refusal: a page with no form, the given status, and an audit event with this code. */
async function expectRefused(landing: Landing, status: number, code: string): Promise<void> {
  if (landing.kind !== 'page') throw new Error(`expected a refusal page, got ${landing.kind}`);
  expect(landing.status).toBe(status);
  expect(parseForm(landing.html)).toBeUndefined();
  expect(landing.html).not.toContain('SAMLResponse');
  expect(landing.html).toContain(code);
  const events = await listAudit(stack.db, tenant, 20);
  expect(events.some((e) => /^saml\.(request|logout)_refused$/.test(e.type) && e.data?.code === code)).toBe(true);
}

const visit = (url: string, browser = new OidcBrowser(stack.url, tenant)) => browser.follow(url);
const postForm = (url: string, fields: Record<string, string>, browser = new OidcBrowser(stack.url, tenant)) =>
  browser.follow(url, 'POST', new URLSearchParams(fields));

describe('AuthnRequest checks', () => {
  it('unknown issuer', async () => {
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), rawRequestXml({ issuer: 'https://stranger.example/metadata' }))), 400, 'unknown_sp');
  });

  it('an ACS URL not registered for the SP: an error page, nothing posted', async () => {
    const xml = rawRequestXml({ issuer: plain.entityId, acs: 'https://attacker.example/acs' });
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), xml)), 400, 'acs_not_registered');
    // Also when the browser already has a session (nothing at all goes to the unregistered URL).
    const browser = new OidcBrowser(stack.url, tenant);
    await browser.login(await plain.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), xml), browser), 400, 'acs_not_registered');
  });

  it('an unsigned request from an SP whose metadata says AuthnRequestsSigned', async () => {
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), rawRequestXml({ issuer: signing.entityId }))), 400, 'unsigned_request');
    await expectRefused(await postForm(ssoUrl(stack.url, tenant), { SAMLRequest: Buffer.from(rawRequestXml({ issuer: signing.entityId })).toString('base64') }), 400, 'unsigned_request');
  });

  it('an unsigned request from an SP whose row requires signatures', async () => {
    const strict = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://strict.example/metadata', settings: { requireSignedRequests: true } });
    await expectRefused(await visit(await strict.saml.getAuthorizeUrlAsync('', undefined, {})), 400, 'unsigned_request');
  });

  it('a signature by another key, or a tampered signed request', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const xml = rawRequestXml({ issuer: signing.entityId });
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), xml, { sign: { key: other, sigAlg: RSA_SHA256, hash: 'sha256' } })), 400, 'signature');
    // A good signature over other bytes: RelayState changed after signing.
    const key = (await spKeys(0)).privateKeyPem;
    const good = redirectUrlFor(ssoUrl(stack.url, tenant), xml, { relayState: 'a', sign: { key, sigAlg: RSA_SHA256, hash: 'sha256' } });
    await expectRefused(await visit(good.replace('RelayState=a', 'RelayState=b')), 400, 'signature');
    // The control: the untampered one is accepted (it starts a login).
    expect((await visit(good)).kind).toBe('journey');
  });

  it('a tampered enveloped signature on the POST binding', async () => {
    const s = await samlifySp(stack.db, stack.url, tenant, { entityId: 'https://samlify-signing.example/metadata', sign: true });
    const request = s.sp.createLoginRequest(s.idp, 'post') as { context: string };
    const xml = Buffer.from(request.context, 'base64').toString('utf8');
    expect((await postForm(ssoUrl(stack.url, tenant), { SAMLRequest: request.context })).kind).toBe('journey');
    // A signed attribute added after signing: the digest no longer matches.
    expect(xml).not.toContain('ForceAuthn=');
    const changed = xml.replace('Version="2.0"', 'Version="2.0" ForceAuthn="true"');
    expect(changed).not.toBe(xml);
    await expectRefused(await postForm(ssoUrl(stack.url, tenant), { SAMLRequest: Buffer.from(changed).toString('base64') }), 400, 'signature');
  });

  it('SHA-1 or an unknown SigAlg on the Redirect binding', async () => {
    const key = (await spKeys(0)).privateKeyPem;
    const xml = rawRequestXml({ issuer: signing.entityId });
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), xml, { sign: { key, sigAlg: RSA_SHA1, hash: 'sha1' } })), 400, 'sig_alg');
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), xml, { sign: { key, sigAlg: 'urn:example:unknown', hash: 'sha256' } })), 400, 'sig_alg');
  });

  it('a DOCTYPE / external entity (Redirect and POST)', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${rawRequestXml({ issuer: plain.entityId }).replace('</saml:Issuer>', '&x;</saml:Issuer>')}`;
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), xxe)), 400, 'doctype');
    await expectRefused(await postForm(ssoUrl(stack.url, tenant), { SAMLRequest: Buffer.from(xxe).toString('base64') }), 400, 'doctype');
  });

  it('oversized documents: a large POST body, a deflate bomb', async () => {
    const big = rawRequestXml({ issuer: plain.entityId, body: `<!-- ${'a'.repeat(120_000)} -->` });
    await expectRefused(await postForm(ssoUrl(stack.url, tenant), { SAMLRequest: Buffer.from(big).toString('base64') }), 413, 'too_large');
    const bomb = rawRequestXml({ issuer: plain.entityId, body: `<!-- ${'a'.repeat(2_000_000)} -->` });
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), bomb)), 413, 'too_large');
  });

  it('an IssueInstant far in the past or the future: a RequestDenied Response to the registered ACS', async () => {
    for (const at of [new Date(Date.now() - 3_600_000), new Date(Date.now() + 3_600_000)]) {
      const landing = await visit(redirectUrlFor(ssoUrl(stack.url, tenant), rawRequestXml({ issuer: plain.entityId, issueInstant: at })));
      const posted = postedMessage(landing);
      expect(posted.action).toBe(plain.acs);
      expect(posted.xml).toContain('urn:oasis:names:tc:SAML:2.0:status:RequestDenied');
      expect(posted.xml).not.toContain('Assertion');
    }
  });

  it('a Destination other than this endpoint', async () => {
    const xml = rawRequestXml({ issuer: plain.entityId, destination: `${stack.url}/t/other-tenant/saml/sso` });
    await expectRefused(await visit(redirectUrlFor(ssoUrl(stack.url, tenant), xml)), 400, 'wrong_destination');
  });

  it('a resume URL answers once', async () => {
    const browser = new OidcBrowser(stack.url, tenant);
    const start = await browser.follow(await plain.saml.getAuthorizeUrlAsync('', undefined, {}));
    expect(start.kind).toBe('journey');
    const journey = await browser.completeJourney(answers());
    postedMessage(journey);
    const resume = browser.api.journey!.redirectTo!;
    expect(resume).toMatch(/\/saml\/resume\//);
    await expectRefused(await browser.follow(resume), 400, 'expired_request');
  });
});

describe('resuming after the journey', () => {
  const pending = (forceAuthn: boolean) => savePending(stack.db, tenant, {
    spEntityId: plain.entityId, requestId: '_r1', acsUrl: plain.acs, binding: 'redirect', forceAuthn, isPassive: false,
  });

  it('without a session (the journey did not finish): refused, nothing posted', async () => {
    await expectRefused(await visit(`${stack.url}/t/${tenant}/saml/resume/${await pending(false)}`), 401, 'not_signed_in');
  });

  it('ForceAuthn: a session older than the request does not answer it', async () => {
    const browser = new OidcBrowser(stack.url, tenant);
    await browser.login(await plain.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await expectRefused(await visit(`${stack.url}/t/${tenant}/saml/resume/${await pending(true)}`, browser), 401, 'reauthentication_required');
    // The control: without ForceAuthn the same session answers.
    postedMessage(await visit(`${stack.url}/t/${tenant}/saml/resume/${await pending(false)}`, browser));
  });

  it('an unknown or malformed resume id', async () => {
    await expectRefused(await visit(`${stack.url}/t/${tenant}/saml/resume/${'A'.repeat(43)}`), 400, 'expired_request');
    await expectRefused(await visit(`${stack.url}/t/${tenant}/saml/resume/x`), 400, 'expired_request');
  });
});

describe('the Response', () => {
  it('an attribute value with markup comes out escaped, and no extra attribute appears', async () => {
    const password = 'pw-markup-0123456789';
    const login = `markup@${tenant}.example`;
    await createUser(stack.db, tenant, { email: login, name: '<x>a</x>', password });
    const browser = new OidcBrowser(stack.url, tenant);
    const posted = postedMessage(await browser.login(await plain.saml.getAuthorizeUrlAsync('', undefined, {}), { username: login, password }));
    expect(posted.xml).toContain('&lt;x&gt;a&lt;/x&gt;');
    const doc = new DOMParser().parseFromString(posted.xml, 'text/xml');
    const names = Array.from(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Attribute')).map((a) => a.getAttribute('Name'));
    expect(names.sort()).toEqual(['urn:oid:0.9.2342.19200300.100.1.3', 'urn:oid:2.16.840.1.113730.3.1.241']);
    expect(doc.getElementsByTagName('x')).toHaveLength(0);
    const { profile } = await plain.saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
    expect(profile!['urn:oid:2.16.840.1.113730.3.1.241']).toBe('<x>a</x>');
  });
});

describe('single logout checks', () => {
  it('an unsigned LogoutRequest from an SP that signs is refused; the session lives on', async () => {
    const browser = new OidcBrowser(stack.url, tenant);
    const landing = await browser.login(await signing.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    const { profile } = await signing.saml.validatePostResponseAsync({ SAMLResponse: postedMessage(landing).SAMLResponse });
    const xml = rawRequestXml({ root: 'LogoutRequest', issuer: signing.entityId, body: `<saml:NameID>${profile!.nameID}</saml:NameID>` });
    await expectRefused(await visit(redirectUrlFor(sloUrl(stack.url, tenant), xml), browser), 400, 'unsigned_request');
    expect((await browser.follow(await plain.saml.getAuthorizeUrlAsync('', undefined, {}))).kind).toBe('page');
  });

  it('a LogoutRequest naming another NameID ends nothing', async () => {
    const browser = new OidcBrowser(stack.url, tenant);
    await browser.login(await plain.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    const xml = rawRequestXml({ root: 'LogoutRequest', issuer: plain.entityId, body: '<saml:NameID>someone-else@example.com</saml:NameID>' });
    await browser.follow(redirectUrlFor(sloUrl(stack.url, tenant), xml));
    expect((await browser.follow(await plain.saml.getAuthorizeUrlAsync('', undefined, {}))).kind).toBe('page');
    const events = await listAudit(stack.db, tenant, 10);
    expect(events.some((e) => e.type === 'saml.logout_refused' && e.data?.code === 'unknown_principal')).toBe(true);
  });
});

describe('SP registration', () => {
  it('refuses metadata with a DOCTYPE, oversized metadata, --encrypt without an encryption certificate', async () => {
    const xml = plain.metadata;
    await expect(addSamlSp(stack.db, tenant, `<!DOCTYPE x [<!ENTITY e "e">]>${xml}`)).rejects.toThrow(SpMetadataError);
    await expect(addSamlSp(stack.db, tenant, xml.replace('</EntityDescriptor>', `<!-- ${'a'.repeat(300_000)} --></EntityDescriptor>`))).rejects.toThrow(SpMetadataError);
    await expect(addSamlSp(stack.db, tenant, xml, { encryptAssertion: true })).rejects.toThrow(/encryption certificate/);
  });
});
