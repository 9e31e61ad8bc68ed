// SAML single logout relayed to the session's other SPs (issue 13, "Must work"): SP A's
// LogoutRequest ends the session, then the browser visits SP B with a signed LogoutRequest naming
// the NameID and SessionIndex B was given; B's LogoutResponse brings it back, and A gets its
// LogoutResponse — Success, or Success/PartialLogout when an SP could not be reached.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { tenantWithUser } from '../support/harness.ts';
import { logoutRelayHarness } from '../support/saml-logout-relay.ts';
import { idpEntityId, redirectXml } from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const stack = useStack({ localhost: true });
const { db } = stack;
let user: Awaited<ReturnType<typeof tenantWithUser>>;
beforeAll(async () => { user = await tenantWithUser(db); });
const { startRelay, logoutResponseFrom, redirectTo, idpSigned } = logoutRelayHarness(stack, () => user);

describe('single logout relayed to the other SPs of the session', () => {
  it('A asks: the session ends, B gets a signed LogoutRequest for its NameID and SessionIndex, then A gets Success', async () => {
    const { b, browser, cookie, toB, rowB, n } = await startRelay();
    expect(await getSession(db, user.tenant, cookie)).toBeUndefined();
    expect(await idpSigned(toB)).toBe(true);
    const request = redirectXml(toB.href);
    expect(request).toContain(`<saml:Issuer>${idpEntityId(stack.url, user.tenant)}</saml:Issuer>`);
    expect(request).toContain(`<saml:NameID Format="${rowB.name_id_format}">${rowB.name_id}</saml:NameID>`);
    expect(request).toContain(`<samlp:SessionIndex>${rowB.session_index}</samlp:SessionIndex>`);
    expect(request).toContain(`Destination="https://b${n}.example/slo"`);
    const requestId = /ID="([^"]+)"/.exec(request)![1]!;

    const back = redirectTo(await browser.follow(await logoutResponseFrom(b, requestId, toB.searchParams.get('RelayState')!)), `https://a${n}.example/slo`);
    expect(await idpSigned(back)).toBe(true);
    expect(back.searchParams.get('RelayState')).toBe('a-state');
    const response = redirectXml(back.href, 'SAMLResponse');
    expect(response).toContain('InResponseTo="_from-a"');
    expect(response).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(response).not.toContain('PartialLogout');
  });

  it('an SP of the session without an SLO endpoint: A is told PartialLogout', async () => {
    const { b, browser, toB, n } = await startRelay(true);
    const requestId = /ID="([^"]+)"/.exec(redirectXml(toB.href))![1]!;
    const back = redirectTo(await browser.follow(await logoutResponseFrom(b, requestId, toB.searchParams.get('RelayState')!)), `https://a${n}.example/slo`);
    expect(redirectXml(back.href, 'SAMLResponse')).toMatch(/StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:PartialLogout"/);
  });
});
