// A relayed single logout (server/protocols/saml/slo-relay.ts) must not be steered: the relay
// token works once; a LogoutResponse counts only from the SP it was sent to, for the request it
// was sent, with that SP's valid signature (its metadata's key, SHA-256 or better) and a Success status — anything else still goes on to
// A (the session has ended already), but A is told PartialLogout; without a known token nothing
// happens and a page says so.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tenantWithUser } from '../support/harness.ts';
import { logoutRelayHarness } from '../support/saml-logout-relay.ts';
import { redirectXml, sloUrl } from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
let user: Awaited<ReturnType<typeof tenantWithUser>>;
beforeAll(async () => { user = await tenantWithUser(stack.db); });
const { startRelay, logoutResponseFrom, redirectTo } = logoutRelayHarness(stack, () => user);
const PARTIAL = /status:PartialLogout/;

describe('relay token and LogoutResponse checks', () => {
  it('a relay token works once', async () => {
    const { b, browser, toB, n } = await startRelay();
    const requestId = /ID="([^"]+)"/.exec(redirectXml(toB.href))![1]!;
    const answer = await logoutResponseFrom(b, requestId, toB.searchParams.get('RelayState')!);
    redirectTo(await browser.follow(answer), `https://a${n}.example/slo`);
    expect(await browser.follow(answer)).toMatchObject({ kind: 'page', status: 400 });
  });

  it('a LogoutResponse with no or an unknown RelayState changes nothing', async () => {
    const { b, browser, toB } = await startRelay();
    const requestId = /ID="([^"]+)"/.exec(redirectXml(toB.href))![1]!;
    expect(await browser.follow(await logoutResponseFrom(b, requestId, 'not-a-token'))).toMatchObject({ kind: 'page', status: 400 });
    const withoutRelay = (await logoutResponseFrom(b, requestId, 'x', { sign: false })).replace(/&RelayState=[^&]*/, '');
    expect(withoutRelay.startsWith(sloUrl(stack.url, user.tenant))).toBe(true);
    expect(await browser.follow(withoutRelay)).toMatchObject({ kind: 'page', status: 400 });
    // The real token still works afterwards: nothing was consumed by the failures.
    const back = await browser.follow(await logoutResponseFrom(b, requestId, toB.searchParams.get('RelayState')!));
    expect(back.kind).toBe('callback');
  });

  const cases: [string, (id: string) => { inResponseTo: string; o: Parameters<ReturnType<typeof logoutRelayHarness>['logoutResponseFrom']>[3] }][] = [
    ['for another request', () => ({ inResponseTo: '_another', o: {} })],
    ['from another issuer', (id) => ({ inResponseTo: id, o: { issuer: 'https://evil.example/metadata' } })],
    ['unsigned though the SP signs', (id) => ({ inResponseTo: id, o: { sign: false } })],
    ['signed with another key than its metadata\'s', (id) => ({ inResponseTo: id, o: { key: 2 } })],
    ['signed with SHA-1 (SigAlg rsa-sha1)', (id) => ({ inResponseTo: id, o: { sha1: true } })],
    ['with a failure status', (id) => ({ inResponseTo: id, o: { status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' } })],
  ];
  for (const [name, make] of cases) {
    it(`a LogoutResponse ${name}: A is told PartialLogout`, async () => {
      const { b, browser, toB, n } = await startRelay();
      const requestId = /ID="([^"]+)"/.exec(redirectXml(toB.href))![1]!;
      const { inResponseTo, o } = make(requestId);
      const back = redirectTo(await browser.follow(await logoutResponseFrom(b, inResponseTo, toB.searchParams.get('RelayState')!, o)), `https://a${n}.example/slo`);
      expect(redirectXml(back.href, 'SAMLResponse')).toMatch(PARTIAL);
    });
  }
});
