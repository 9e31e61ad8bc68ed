// Two (or three) samlify SPs signed in through one browser, and SP A's LogoutRequest that starts a
// relayed single logout (server/protocols/saml/slo-relay.ts), for test/integration and
// test/security: what B receives, and B's (hand-made, signed) LogoutResponse.
import { createPublicKey, sign as cryptoSign, verify } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { expect } from 'vitest';
import 'reflect-metadata';
import type { Db } from '../../core/infra/db.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import { certificatePem } from '../../core/saml/saml-credentials.ts';
import type { TestUser } from './harness.ts';
import { OidcBrowser, type Landing } from './oidc-browser.ts';
import { idpMetadata, rawRequestXml, redirectUrlFor, samlifySp, sloUrl, spKeys, type SamlifySp } from './saml-sps.ts';

export function logoutRelayHarness(stack: { db: Db; url: string }, who: () => TestUser & { tenant: string }) {
  const { db } = stack;
  const tenant = () => who().tenant;
  let counter = 0;
  let idpCert: string | undefined;
  async function sps(withUnreachable: boolean) {
    const n = ++counter;
    const a = await samlifySp(db, stack.url, tenant(), { entityId: `https://a${n}.example/metadata`, slo: `https://a${n}.example/slo` });
    const b = await samlifySp(db, stack.url, tenant(), { entityId: `https://b${n}.example/metadata`, slo: `https://b${n}.example/slo` });
    const c = withUnreachable ? await samlifySp(db, stack.url, tenant(), { entityId: `https://c${n}.example/metadata` }) : undefined;
    return { a, b, c };
  }

  async function signInTo(browser: OidcBrowser, s: SamlifySp): Promise<void> {
    const { context } = s.sp.createLoginRequest(s.idp, 'redirect') as { context: string };
    const landing = await browser.login(context, { username: who().login, password: who().password });
    expect(landing.kind).toBe('page'); // the POST binding page toward the SP's ACS
  }

  const sessionSpsOf = async (browser: OidcBrowser) => {
    const session = await getSession(db, tenant(), browser.cookies.get('tessera_session')!);
    return db`SELECT entity_id, name_id, name_id_format, session_index FROM saml_session_sps WHERE tenant_id = ${tenant()} AND sso_id = ${session!.ssoId}`;
  };

  /** SP A's (unsigned) LogoutRequest for its NameID, by the Redirect binding. */
  function logoutRequestFrom(a: SamlifySp, nameId: string, format: string, id: string, relayState: string): string {
    const xml = rawRequestXml({ root: 'LogoutRequest', id, issuer: a.entityId, destination: sloUrl(stack.url, tenant()), body: `<saml:NameID Format="${format}">${nameId}</saml:NameID>` });
    return redirectUrlFor(sloUrl(stack.url, tenant()), xml, { relayState });
  }

  /**
   * SP B's LogoutResponse by the Redirect binding, signed with its key (or the spKeys pool's key
   * `o.key`, and with SHA-1 when `o.sha1`).
   */
  async function logoutResponseFrom(b: SamlifySp, inResponseTo: string, relayState: string, o: { status?: string; issuer?: string; sign?: boolean; key?: number; sha1?: boolean } = {}): Promise<string> {
    const xml = `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${Date.now()}${Math.random().toString(16).slice(2)}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${sloUrl(stack.url, tenant())}" InResponseTo="${inResponseTo}"><saml:Issuer>${o.issuer ?? b.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status></samlp:LogoutResponse>`;
    const parts = [`SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`, `RelayState=${encodeURIComponent(relayState)}`,
      `SigAlg=${encodeURIComponent(o.sha1 ? 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`];
    if (o.sign === false) return `${sloUrl(stack.url, tenant())}?${parts.slice(0, 2).join('&')}`;
    const signature = cryptoSign(o.sha1 ? 'sha1' : 'sha256', Buffer.from(parts.join('&')), (await spKeys(o.key ?? 0)).privateKeyPem).toString('base64');
    return `${sloUrl(stack.url, tenant())}?${parts.join('&')}&Signature=${encodeURIComponent(signature)}`;
  }

  function redirectTo(landing: Landing, location: string): URL {
    if (landing.kind !== 'callback') throw new Error(`expected a redirect to ${location}, got ${landing.kind}: ${'html' in landing ? landing.html.slice(0, 300) : ''}`);
    expect(`${landing.url.origin}${landing.url.pathname}`).toBe(location);
    return landing.url;
  }

  /** Checks the IdP's Redirect-binding signature over the exact query. */
  async function idpSigned(url: URL): Promise<boolean> {
    idpCert ??= /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(await idpMetadata(stack.url, tenant()))![1]!;
    const query = url.search.slice(1);
    const octets = query.slice(0, query.indexOf('&Signature='));
    return verify('sha256', Buffer.from(octets), createPublicKey(certificatePem(idpCert!)), Buffer.from(url.searchParams.get('Signature')!, 'base64'));
  }

  /** A browser signed in to SPs A and B (and C without an SLO endpoint), and the rows the IdP keeps for each. */
  async function signedIn(withUnreachable = false, browser = new OidcBrowser(stack.url, tenant())) {
    const { a, b, c } = await sps(withUnreachable);
    await signInTo(browser, a);
    await signInTo(browser, b);
    if (c) await signInTo(browser, c);
    const rows = await sessionSpsOf(browser);
    const rowOf = (s: SamlifySp) => rows.find((r) => r.entity_id === s.entityId)!;
    return { a, b, c, browser, rowOf, n: counter };
  }

  async function startRelay(withUnreachable = false) {
    const { a, b, browser, rowOf } = await signedIn(withUnreachable);
    const cookie = browser.cookies.get('tessera_session')!;
    const out = await browser.follow(logoutRequestFrom(a, rowOf(a).name_id, rowOf(a).name_id_format, '_from-a', 'a-state'));
    const toB = redirectTo(out, `https://b${counter}.example/slo`);
    return { a, b, browser, cookie, toB, rowB: rowOf(b), n: counter };
  }


  return { signedIn, startRelay, logoutRequestFrom, logoutResponseFrom, redirectTo, idpSigned };
}
