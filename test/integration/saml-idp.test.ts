// Tessera as a SAML IdP against two independent SPs (node-saml and samlify): metadata, SP-initiated
// SSO with the Redirect and POST bindings through a full login journey, signed response and/or
// assertion, encrypted assertions, NameID formats, IdP-initiated SSO, the SSO session shared with
// OIDC, ForceAuthn, IsPassive, and single logout.
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { tenantSamlCredentials } from '../../core/saml/saml-credentials.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { tenantWithUser, uniqueTenantId } from '../support/harness.ts';
import { OidcBrowser, parseForm, type Landing } from '../support/oidc-browser.ts';
import {
  FORMATS, idpEntityId, idpMetadata, nodeSamlSp, postedMessage, redirectXml, samlifySp, type NodeSamlSp,
} from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
let user: Awaited<ReturnType<typeof tenantWithUser>>;
let tenant: string;
const answers = () => ({ username: user.login, password: user.password });

beforeAll(async () => {
  user = await tenantWithUser(stack.db);
  tenant = user.tenant;
  await stack.db`INSERT INTO user_groups (tenant_id, user_id, name) VALUES (${tenant}, ${user.user.id}, 'admins'), (${tenant}, ${user.user.id}, 'staff')`;
});

/** Follows a POST-binding form (as a browser submits it) to Tessera. */
async function postTo(browser: OidcBrowser, html: string): Promise<Landing> {
  const form = parseForm(html)!;
  return browser.follow(form.action, 'POST', form.fields);
}

async function signIn(browser: OidcBrowser, landing: Landing): Promise<Landing> {
  return landing.kind === 'journey' ? browser.completeJourney(answers()) : landing;
}

describe('metadata', () => {
  it('publishes the entity id, certificate, SSO and SLO endpoints with both bindings, and NameID formats', async () => {
    const xml = await idpMetadata(stack.url, tenant);
    expect(xml).toContain(`entityID="${idpEntityId(stack.url, tenant)}"`);
    expect(xml).toContain('WantAuthnRequestsSigned="false"');
    for (const f of Object.values(FORMATS)) expect(xml).toContain(`<md:NameIDFormat>${f}</md:NameIDFormat>`);
    expect(xml.match(/SingleSignOnService/g)).toHaveLength(2);
    expect(xml.match(/SingleLogoutService/g)).toHaveLength(2);
    expect(xml).toMatch(/KeyDescriptor use="signing"/);
    // The same credentials on every request (created once).
    expect(await idpMetadata(stack.url, tenant)).toBe(xml);
  });
});

describe('credentials', () => {
  it('created once per tenant even when asked concurrently: RSA 2048, self-signed, CN = tenant, ~10 years', async () => {
    const id = uniqueTenantId();
    await createTenant(stack.db, id);
    const all = await Promise.all([1, 2, 3, 4].map(() => tenantSamlCredentials(stack.db, id)));
    expect(new Set(all.map((c) => c.certificatePem)).size).toBe(1);
    expect(new Set(all.map((c) => c.privateKeyPem)).size).toBe(1);
    const cert = new x509.X509Certificate(all[0]!.certificatePem);
    expect(cert.subject).toBe(`CN=${id}`);
    expect(cert.issuer).toBe(cert.subject);
    expect(await cert.isSelfSigned()).toBe(true);
    const years = (cert.notAfter.getTime() - cert.notBefore.getTime()) / (365.25 * 24 * 3_600_000);
    expect(years).toBeGreaterThan(9.9);
    expect((cert.publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(2048);
    await expect(tenantSamlCredentials(stack.db, uniqueTenantId())).rejects.toThrow(/no tenant/);
  });
});

describe('node-saml as SP', () => {
  let sp: NodeSamlSp;
  beforeAll(async () => {
    sp = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-sp.example/metadata' });
  });

  it('Redirect binding: login journey, then a signed Response node-saml accepts', async () => {
    const browser = new OidcBrowser(stack.url, tenant);
    const url = await sp.saml.getAuthorizeUrlAsync('relay-1', undefined, {});
    const landing = await browser.login(url, answers());
    const posted = postedMessage(landing);
    expect(posted.action).toBe(sp.acs);
    expect(posted.RelayState).toBe('relay-1');
    const { profile } = await sp.saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
    expect(profile!.nameID).toBe(user.login);
    expect(profile!.nameIDFormat).toBe(FORMATS.email);
    expect(profile!['urn:oid:0.9.2342.19200300.100.1.3']).toBe(user.login);
    expect(posted.xml).toContain('FriendlyName="mail"');
    expect(profile!['urn:oid:1.3.6.1.4.1.5923.1.5.1.1']).toEqual(['admins', 'staff']);
  });

  it('POST binding, and a second SP signs in without a prompt on the same session', async () => {
    const browser = new OidcBrowser(stack.url, tenant);
    const postSp = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-post.example/metadata', config: { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true } });
    // (node-saml deflates POST-binding requests unless told not to: the POST binding is not deflated.)
    const landing = await signIn(browser, await postTo(browser, await postSp.saml.getAuthorizeFormAsync('r2')));
    const { profile } = await postSp.saml.validatePostResponseAsync({ SAMLResponse: postedMessage(landing).SAMLResponse });
    expect(profile!.nameID).toBe(user.login);

    const again = await browser.follow(await sp.saml.getAuthorizeUrlAsync('', undefined, {}));
    expect(again.kind).toBe('page');
    const second = await sp.saml.validatePostResponseAsync({ SAMLResponse: postedMessage(again).SAMLResponse });
    expect(second.profile!.nameID).toBe(user.login);
  });

  it('a cross-site POST is re-posted from this origin first (SameSite=Lax cookies come along)', async () => {
    const postSp = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-bounce.example/metadata', config: { authnRequestBinding: 'HTTP-POST', skipRequestCompression: true } });
    const browser = new OidcBrowser(stack.url, tenant);
    await browser.login(await sp.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    const form = parseForm(await postSp.saml.getAuthorizeFormAsync('rs'))!;
    const res = await fetch(form.action, {
      method: 'POST', body: form.fields, redirect: 'manual', headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    const bounce = parseForm(await res.text())!;
    expect(new URL(bounce.action, stack.url).href).toBe(form.action);
    expect(bounce.fields.get('SAMLRequest')).toBe(form.fields.get('SAMLRequest'));
    expect(bounce.fields.get('RelayState')).toBe('rs');
    expect(res.headers.get('set-cookie')).toBeNull();
    // Posted again from this origin, with the browser's cookies: answered from the session.
    const landing = await browser.follow(new URL(bounce.action, stack.url).href, 'POST', bounce.fields);
    const { profile } = await postSp.saml.validatePostResponseAsync({ SAMLResponse: postedMessage(landing).SAMLResponse });
    expect(profile!.nameID).toBe(user.login);
  });

  it('signed AuthnRequests and encrypted assertions', async () => {
    const enc = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-enc.example/metadata', sign: true, encrypt: true });
    expect(enc.registered.authnRequestsSigned).toBe(true);
    const browser = new OidcBrowser(stack.url, tenant);
    const landing = await browser.login(await enc.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    const posted = postedMessage(landing);
    expect(posted.xml).toContain('EncryptedAssertion');
    expect(posted.xml).not.toContain(user.login);
    expect(posted.xml).toContain('aes256-gcm');
    expect(posted.xml).toContain('rsa-oaep-mgf1p');
    const { profile } = await enc.saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
    expect(profile!.nameID).toBe(user.login);
  });

  it('persistent NameID: stable per SP, opaque; transient: new each time', async () => {
    const persistent = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-persist.example/metadata', nameIdFormat: 'persistent' });
    const transient = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-transient.example/metadata', nameIdFormat: 'transient' });
    const browser = new OidcBrowser(stack.url, tenant);
    const ids: Record<string, string[]> = { p: [], t: [] };
    for (let i = 0; i < 2; i++) {
      for (const [key, s] of [['p', persistent], ['t', transient]] as const) {
        const landing = await browser.login(await s.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
        const { profile } = await s.saml.validatePostResponseAsync({ SAMLResponse: postedMessage(landing).SAMLResponse });
        expect(profile!.nameIDFormat).toBe(key === 'p' ? FORMATS.persistent : FORMATS.transient);
        ids[key]!.push(profile!.nameID);
      }
    }
    expect(ids.p![0]).toBe(ids.p![1]);
    expect(ids.p![0]).not.toContain(user.user.id);
    expect(ids.p![0]).not.toContain(user.login);
    expect(ids.t![0]).not.toBe(ids.t![1]);
  });

  it('IdP-initiated SSO: an unsolicited Response to the default ACS', async () => {
    const open = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-idpinit.example/metadata', config: { validateInResponseTo: 'ifPresent' as never } });
    const browser = new OidcBrowser(stack.url, tenant);
    const landing = await browser.login(`${stack.url}/t/${tenant}/saml/sso?sp=${encodeURIComponent(open.entityId)}&RelayState=deep`, answers());
    const posted = postedMessage(landing);
    expect(posted.action).toBe(open.acs);
    expect(posted.RelayState).toBe('deep');
    expect(posted.xml).not.toContain('InResponseTo');
    const { profile } = await open.saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
    expect(profile!.nameID).toBe(user.login);
  });

  it('IdP-initiated SSO is refused for an SP that does not allow it', async () => {
    const closed = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-closed.example/metadata', settings: { idpInitiated: false } });
    const browser = new OidcBrowser(stack.url, tenant);
    const landing = await browser.follow(`${stack.url}/t/${tenant}/saml/sso?sp=${encodeURIComponent(closed.entityId)}`);
    expect(landing.kind === 'page' && landing.status).toBe(403);
    expect(landing.kind === 'page' && parseForm(landing.html)).toBeFalsy();
  });

  it('ForceAuthn: a new login journey although the browser has a session', async () => {
    const force = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-force.example/metadata', config: { forceAuthn: true } });
    const browser = new OidcBrowser(stack.url, tenant);
    await browser.login(await sp.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    const first = await browser.follow(await force.saml.getAuthorizeUrlAsync('', undefined, {}));
    expect(first.kind).toBe('journey');
    const landing = await browser.completeJourney(answers());
    const { profile } = await force.saml.validatePostResponseAsync({ SAMLResponse: postedMessage(landing).SAMLResponse });
    expect(profile!.nameID).toBe(user.login);
  });

  it('IsPassive without a session: a NoPassive status, no prompt', async () => {
    const passive = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-passive.example/metadata', config: { passive: true } });
    const browser = new OidcBrowser(stack.url, tenant);
    const landing = await browser.follow(await passive.saml.getAuthorizeUrlAsync('', undefined, {}));
    const posted = postedMessage(landing);
    expect(posted.xml).toContain('urn:oasis:names:tc:SAML:2.0:status:NoPassive');
    // node-saml reads NoPassive as "nobody signed in" (no profile), not as an error.
    const result = await passive.saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
    expect(result.profile).toBeNull();
    // With a session, IsPassive is answered at once.
    await browser.login(await sp.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    const ok = await browser.follow(await passive.saml.getAuthorizeUrlAsync('', undefined, {}));
    const { profile } = await passive.saml.validatePostResponseAsync({ SAMLResponse: postedMessage(ok).SAMLResponse });
    expect(profile!.nameID).toBe(user.login);
  });

  it('single logout: the LogoutRequest ends the core session; the LogoutResponse verifies', async () => {
    // node-saml's validatePostResponseAsync reads InResponseTo from a Response only: checked here instead.
    const slo = await nodeSamlSp(stack.db, stack.url, tenant, {
      entityId: 'https://node-slo.example/metadata', slo: 'https://node-slo.example/slo', sign: true, config: { validateInResponseTo: 'ifPresent' as never },
    });
    const browser = new OidcBrowser(stack.url, tenant);
    const landing = await browser.login(await slo.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    const { profile } = await slo.saml.validatePostResponseAsync({ SAMLResponse: postedMessage(landing).SAMLResponse });
    const logoutUrl = await slo.saml.getLogoutUrlAsync(profile!, 'bye', {});
    const requestId = /ID="([^"]+)"/.exec(redirectXml(logoutUrl))![1];
    const out = await browser.follow(logoutUrl);
    // node-saml's metadata offers its SLO endpoint with the HTTP-POST binding.
    const posted = postedMessage(out);
    expect(posted.action).toBe('https://node-slo.example/slo');
    expect(posted.RelayState).toBe('bye');
    expect(posted.xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(posted.xml).toContain(`InResponseTo="${requestId}"`);
    const result = await slo.saml.validatePostResponseAsync({ SAMLResponse: posted.SAMLResponse });
    expect(result.loggedOut).toBe(true);
    // The session is gone: the next SSO needs a login.
    expect((await browser.follow(await sp.saml.getAuthorizeUrlAsync('', undefined, {}))).kind).toBe('journey');
  });
});

describe('samlify as SP', () => {
  async function samlifyLogin(s: Awaited<ReturnType<typeof samlifySp>>, binding: 'redirect' | 'post', browser = new OidcBrowser(stack.url, tenant)) {
    let landing: Landing;
    if (binding === 'redirect') {
      const { context } = s.sp.createLoginRequest(s.idp, 'redirect') as { context: string };
      landing = await browser.login(context, answers());
    } else {
      const request = s.sp.createLoginRequest(s.idp, 'post') as { context: string; entityEndpoint: string; relayState?: string };
      landing = await signIn(browser, await browser.follow(request.entityEndpoint, 'POST', new URLSearchParams({ SAMLRequest: request.context })));
    }
    const posted = postedMessage(landing);
    expect(posted.action).toBe(s.acs);
    const parsed = await s.sp.parseLoginResponse(s.idp, 'post', { body: { SAMLResponse: posted.SAMLResponse } });
    // samlify checks neither Audience nor InResponseTo: the test does.
    expect(parsed.extract.audience).toBe(s.entityId);
    return { parsed, posted, browser };
  }

  it('Redirect and POST bindings, signed response and assertion', async () => {
    const s = await samlifySp(stack.db, stack.url, tenant, { entityId: 'https://samlify-sp.example/metadata' });
    for (const binding of ['redirect', 'post'] as const) {
      const { parsed, posted } = await samlifyLogin(s, binding);
      expect(parsed.extract.nameID).toBe(user.login);
      expect(parsed.extract.attributes!['urn:oid:0.9.2342.19200300.100.1.3']).toBe(user.login);
      expect(posted.xml.match(/<ds:Signature[\s>]/g)).toHaveLength(2);
    }
  });

  it('signed response only, or signed assertion only', async () => {
    const responseOnly = await samlifySp(stack.db, stack.url, tenant, {
      entityId: 'https://samlify-resp.example/metadata', wantAssertionsSigned: false, settings: { signAssertion: false, signResponse: true },
    });
    const r = await samlifyLogin(responseOnly, 'redirect');
    expect(r.posted.xml.match(/<ds:Signature[\s>]/g)).toHaveLength(1);
    expect(r.posted.xml.indexOf('<ds:Signature')).toBeLessThan(r.posted.xml.indexOf('<saml:Assertion'));

    const assertionOnly = await samlifySp(stack.db, stack.url, tenant, {
      entityId: 'https://samlify-assert.example/metadata', settings: { signAssertion: true, signResponse: false },
    });
    const a = await samlifyLogin(assertionOnly, 'redirect');
    expect(a.posted.xml.match(/<ds:Signature[\s>]/g)).toHaveLength(1);
    expect(a.posted.xml.indexOf('<ds:Signature')).toBeGreaterThan(a.posted.xml.indexOf('<saml:Assertion'));
    expect(a.parsed.extract.nameID).toBe(user.login);
  });

  it('signed AuthnRequests (Redirect and POST) and an encrypted assertion', async () => {
    const s = await samlifySp(stack.db, stack.url, tenant, { entityId: 'https://samlify-enc.example/metadata', sign: true, encrypt: true });
    expect(s.registered.authnRequestsSigned).toBe(true);
    for (const binding of ['redirect', 'post'] as const) {
      const { parsed, posted } = await samlifyLogin(s, binding);
      expect(posted.xml).toContain('EncryptedAssertion');
      expect(parsed.extract.nameID).toBe(user.login);
    }
  });

  it('persistent and transient NameIDs', async () => {
    const p = await samlifySp(stack.db, stack.url, tenant, { entityId: 'https://samlify-p.example/metadata', nameIdFormat: 'persistent' });
    const t = await samlifySp(stack.db, stack.url, tenant, { entityId: 'https://samlify-t.example/metadata', nameIdFormat: 'transient' });
    const first = await samlifyLogin(p, 'redirect');
    const again = await samlifyLogin(p, 'redirect', first.browser);
    expect(first.parsed.extract.nameID).toBe(again.parsed.extract.nameID);
    expect(first.parsed.extract.nameID).not.toContain(user.login);
    const t1 = await samlifyLogin(t, 'redirect', first.browser);
    const t2 = await samlifyLogin(t, 'redirect', first.browser);
    expect(t1.parsed.extract.nameID).not.toBe(t2.parsed.extract.nameID);
  });

  it('single logout with the Redirect binding: a signed LogoutResponse samlify verifies', async () => {
    const s = await samlifySp(stack.db, stack.url, tenant, { entityId: 'https://samlify-slo.example/metadata', slo: 'https://samlify-slo.example/slo' });
    expect(s.registered.sloBinding).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect');
    const { parsed, browser } = await samlifyLogin(s, 'redirect');
    const request = s.sp.createLogoutRequest(s.idp, 'redirect', { logoutNameID: parsed.extract.nameID }, 'bye-2') as { id: string; context: string };
    const out = await browser.follow(request.context);
    if (out.kind !== 'callback') throw new Error(`expected the SP's SLO URL, got ${out.kind}`);
    expect(out.url.origin + out.url.pathname).toBe('https://samlify-slo.example/slo');
    const octetString = out.url.search.slice(1).split('&').filter((p) => !p.startsWith('Signature=')).join('&');
    const result = await s.sp.parseLogoutResponse(s.idp, 'redirect', { query: Object.fromEntries(out.url.searchParams), octetString });
    expect(result.extract.response?.inResponseTo).toBe(request.id);
    expect(out.url.searchParams.get('RelayState')).toBe('bye-2');
    // A signature over other bytes does not verify.
    const forged = octetString.replace('RelayState=bye-2', 'RelayState=bye-3');
    await expect(s.sp.parseLogoutResponse(s.idp, 'redirect', { query: { ...Object.fromEntries(out.url.searchParams), RelayState: 'bye-3' }, octetString: forged })).rejects.toThrow();
    expect((await browser.follow(s.sp.createLoginRequest(s.idp, 'redirect').context)).kind).toBe('journey');
  });

  it('IdP-initiated SSO', async () => {
    const s = await samlifySp(stack.db, stack.url, tenant, { entityId: 'https://samlify-idpinit.example/metadata' });
    const browser = new OidcBrowser(stack.url, tenant);
    const posted = postedMessage(await browser.login(`${stack.url}/t/${tenant}/saml/sso?sp=${encodeURIComponent(s.entityId)}`, answers()));
    const parsed = await s.sp.parseLoginResponse(s.idp, 'post', { body: { SAMLResponse: posted.SAMLResponse } });
    expect(parsed.extract.nameID).toBe(user.login);
    expect(parsed.extract.response?.inResponseTo).toBeFalsy();
  });
});

describe('SSO session shared with OIDC', () => {
  it('a user signed in through OIDC gets SAML SSO without a prompt, and the other way round', async () => {
    const client = await createOidcClient(stack.db, tenant, {
      client_id: 'saml-shared-rp', client_secret: 'a-long-enough-client-secret-for-tests-0123456789', redirect_uris: ['https://rp.example/cb'],
    });
    const sp = await nodeSamlSp(stack.db, stack.url, tenant, { entityId: 'https://node-shared.example/metadata' });
    const issuer = `${stack.url}/t/${tenant}`;
    const config = await oidc.discovery(new URL(issuer), client.clientId, client.metadata.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
    const authorize = () => oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'https://rp.example/cb', scope: 'openid', state: oidc.randomState(),
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    }).href;

    const browser = new OidcBrowser(stack.url, tenant);
    let landing = await browser.login(authorize(), answers());
    if (landing.kind === 'page' && /name="decision"/.test(landing.html)) landing = await browser.submit(landing, 'Allow');
    expect(landing.kind).toBe('callback');
    const saml = await browser.follow(await sp.saml.getAuthorizeUrlAsync('', undefined, {}));
    const { profile } = await sp.saml.validatePostResponseAsync({ SAMLResponse: postedMessage(saml).SAMLResponse });
    expect(profile!.nameID).toBe(user.login);

    const other = new OidcBrowser(stack.url, tenant);
    await other.login(await sp.saml.getAuthorizeUrlAsync('', undefined, {}), answers());
    let back = await other.follow(authorize());
    if (back.kind === 'page' && /name="decision"/.test(back.html)) back = await other.submit(back, 'Allow');
    expect(back.kind).toBe('callback');
  });
});
