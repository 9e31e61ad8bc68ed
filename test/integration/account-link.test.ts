// Linking an upstream account from the account console: an `account` journey on the tree
// account-link names the IdP (request.link), proves the signed-in user (account-step-up), goes to
// the upstream (a bare oidc-provider) and links what it vouches for to THIS user — the session's —
// whatever email the upstream claims; an upstream account linked to another user is refused; the
// browser comes back to the account console's page of the journey.
import { describe, expect, it, vi } from 'vitest';
import { getSession } from '../../core/accounts/sessions.ts';
import { createUser } from '../../core/accounts/users.ts';
import { listUserLinks } from '../../core/federation/federated-identities.ts';
import { upstreamUrls } from '../../core/federation/federation-urls.ts';
import { saveIdp } from '../../core/federation/identity-providers.ts';
import { queryAudit } from '../../core/infra/audit.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';

vi.setConfig({ testTimeout: 120_000 });

const stack = useStack({ localhost: true });
const { db } = stack;

async function signedIn(tenant: string, login: string, password: string): Promise<OidcBrowser> {
  const browser = new OidcBrowser(stack.url, tenant);
  browser.leaveAt.push(`/t/${tenant}/account/`);
  await browser.api.start('login');
  await browser.api.submit({ username: login });
  expect((await browser.api.submit({ password })).body.status).toBe('succeeded');
  return browser;
}

async function startLink(browser: OidcBrowser, idp: string) {
  const res = await browser.api.request('POST', `/t/${browser.api.tenant}/api/journeys`, { kind: 'account', tree: 'account-link', idp });
  if (res.status === 201) browser.api.journey = res.body;
  return res;
}

/** Runs a started link journey through the upstream as `sub`; returns the journey as the console reads it. */
async function throughUpstream(browser: OidcBrowser, op: UpstreamOp, tenant: string, sub: string) {
  const step = browser.api.journey!.step!;
  expect(step.type, JSON.stringify(browser.api.journey)).toBe('redirect');
  const go = await browser.request('GET', (step.options as { url: string }).url);
  expect(go.status).toBe(303);
  const params = await op.authorize(go.headers.get('location')!, sub);
  const landing = await browser.follow(`${upstreamUrls(stack.url, tenant, 'bare').callback}?${new URLSearchParams(params)}`);
  expect(landing.kind, JSON.stringify(landing).slice(0, 300)).toBe('callback');
  const back = (landing as { url: URL }).url;
  expect(back.pathname).toBe(`/t/${tenant}/account/`);
  const id = browser.api.journey!.id;
  expect(back.hash).toBe(`#/change/link/bare/${id}`);
  return (await browser.api.get(id)).body;
}

async function setup() {
  const made = await tenantWithUser(db);
  const op = await startUpstreamOp({ redirectUris: [upstreamUrls(stack.url, made.tenant, 'bare').callback] });
  await saveIdp(db, made.tenant, {
    kind: 'oidc', alias: 'bare', displayName: 'Bare OP', oidc: op.config('basic'),
    provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: true },
  });
  return { ...made, op };
}

describe('linking an upstream account from the account console', () => {
  it('links the upstream account to the signed-in user, not to the account whose email the upstream claims', async () => {
    const { tenant, user, login, password, op } = await setup();
    try {
      const bob = await createUser(db, tenant, { email: `bob@${tenant}.example`, password: 'bob-password-123' });
      // The upstream account says it is Bob (verified email): it still goes to Alice, who links it.
      op.users.set('mallory', { email: bob.email, email_verified: true, name: 'Not Bob' });
      const browser = await signedIn(tenant, login, password);
      const session = browser.api.cookies.get('tessera_session');
      const started = await startLink(browser, 'bare');
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      const journey = await throughUpstream(browser, op, tenant, 'mallory');
      expect(journey).toMatchObject({ kind: 'account', status: 'succeeded' });
      expect((await listUserLinks(db, tenant, user.id)).map((l) => [l.idp, l.subject])).toEqual([['bare', 'mallory']]);
      expect(await listUserLinks(db, tenant, bob.id)).toEqual([]);
      // The session stays Alice's: nobody was signed in by the upstream's word.
      expect(browser.api.cookies.get('tessera_session')).toBe(session);
      expect((await getSession(db, tenant, session!))?.userId).toBe(user.id);
      expect(await queryAudit(db, tenant, { type: 'federation.linked', limit: 5 }))
        .toEqual([expect.objectContaining({ subject: user.id, data: { idp: 'bare', how: 'account' } })]);

      // Carol cannot take the same upstream account, and is not told whose it is.
      const carol = await createUser(db, tenant, { email: `carol@${tenant}.example`, password: 'carol-password-123' });
      const hers = await signedIn(tenant, carol.email!, 'carol-password-123');
      await startLink(hers, 'bare');
      const refused = await throughUpstream(hers, op, tenant, 'mallory');
      expect(refused).toMatchObject({ status: 'failed', error: { code: 'already_linked' } });
      expect(JSON.stringify(refused)).not.toMatch(/alice|bob@/i);
      expect(await listUserLinks(db, tenant, carol.id)).toEqual([]);
      expect((await getSession(db, tenant, hers.api.cookies.get('tessera_session')!))?.userId).toBe(carol.id);

      // A second account at the same IdP for Alice: unlink the first one before.
      await startLink(browser, 'bare');
      expect(await throughUpstream(browser, op, tenant, 'bob')).toMatchObject({ status: 'failed', error: { code: 'idp_already_linked' } });
      expect((await listUserLinks(db, tenant, user.id)).map((l) => l.subject)).toEqual(['mallory']);
    } finally {
      await op.close();
    }
  });

  it('asks for fresh proof first when the sign-in is old, and names only an enabled IdP of an account journey', async () => {
    const { tenant, user, login, password, op } = await setup();
    try {
      const browser = await signedIn(tenant, login, password);
      expect((await browser.api.request('POST', `/t/${tenant}/api/journeys`, { kind: 'login', idp: 'bare' })).status).toBe(400);
      expect((await startLink(browser, 'nope')).body.error.code).toBe('unknown_idp');
      await db`UPDATE identity_providers SET enabled = false WHERE tenant_id = ${tenant} AND alias = 'bare'`;
      expect((await startLink(browser, 'bare')).body.error.code).toBe('unknown_idp');
      await db`UPDATE identity_providers SET enabled = true WHERE tenant_id = ${tenant} AND alias = 'bare'`;
      // Without an IdP named, the tree has nothing to link.
      expect((await browser.api.start('account', 'account-link')).body).toMatchObject({ status: 'failed', error: { code: 'idp_unavailable' } });

      await db`UPDATE sessions SET auth_time = now() - interval '10 minutes' WHERE tenant_id = ${tenant} AND user_id = ${user.id}`;
      expect((await startLink(browser, 'bare')).body.step.type).toBe('choice');
      await browser.api.submit({ choice: 'password' });
      expect((await browser.api.submit({ password })).body.step.type).toBe('redirect');
      expect(await throughUpstream(browser, op, tenant, 'alice')).toMatchObject({ status: 'succeeded' });
      expect((await listUserLinks(db, tenant, user.id)).map((l) => l.subject)).toEqual(['alice']);
    } finally {
      await op.close();
    }
  });
});
