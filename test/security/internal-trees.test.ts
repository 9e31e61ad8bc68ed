// Trees meant to run inside others (the `mfa` tree: second factors of a user someone else named)
// cannot be started alone, whether stored with the `internal` flag or as the v1 default stored
// before the flag existed; a tree that loops without asking the user stops after a small number
// of node visits; asking for the MFA ACR without a session runs a tree that signs the user in
// first, then asks the second factor.
import { expect, it } from 'vitest';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import { newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { saveTree } from '../../core/journeys/trees.ts';
import { defaultMfaTree } from '../../core/journeys/default-trees.ts';
import { moduleCatalog } from '../../activities/registry.ts';
import { validateTree } from '../../workflows/tree/validate.ts';
import { MAX_TRANSITIONS, MAX_VISITS_WITHOUT_INPUT } from '../../workflows/journey-state.ts';
import { buildTimeline } from '../../core/journeys/journey-timeline.ts';
import { readJourneyHistory } from '../../server/api/admin/journey-history.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ localhost: true });
const { db } = stack;

it('refuses to start the mfa tree alone, flagged or stored before the flag existed', async () => {
  const { tenant } = await tenantWithUser(db);
  const api = new JourneyApi(stack.url, tenant);
  const flagged = await api.start('login', 'mfa');
  expect(flagged.status).toBe(400);
  expect(flagged.body.error.code).toBe('unknown_tree');
  const { internal: _flag, ...unflagged } = defaultMfaTree as typeof defaultMfaTree & { internal?: boolean };
  await saveTree(db, tenant, unflagged);
  expect((await api.start('login', 'mfa')).status).toBe(400);
  await saveTree(db, tenant, { name: 'second', internal: true, start: 'otp', nodes: { otp: { type: 'totp', next: { ok: 'success', bad: 'otp', skip: 'failure' } } } });
  expect((await api.start('login', 'second')).status).toBe(400);
});

it('validates the internal flag', () => {
  const check = validateTree({ ...defaultMfaTree, internal: 'yes' }, moduleCatalog);
  expect(check.ok).toBe(false);
  expect(validateTree(defaultMfaTree, moduleCatalog).ok).toBe(true);
});

it('stops a tree that loops without asking the user after a few visits', async () => {
  const { tenant } = await tenantWithUser(db);
  await saveTree(db, tenant, {
    name: 'spin', start: 'a',
    nodes: {
      a: { type: 'script', config: { source: "return 'no'" }, next: { yes: 'success', no: 'b' } },
      b: { type: 'script', config: { source: "return 'no'" }, next: { yes: 'success', no: 'a' } },
    },
  });
  const api = new JourneyApi(stack.url, tenant);
  const res = await api.start('login', 'spin');
  expect(res.body).toMatchObject({ status: 'failed', error: { code: 'internal_error' } });
  const history = await stack.server.client.workflow.getHandle(res.body.id).fetchHistory();
  const markers = history.events!.filter((e) => e.markerRecordedEventAttributes).length;
  // The visits run in few module calls since a step's node chain is one activity: at least one.
  expect(markers).toBeGreaterThan(0);
  expect(markers).toBeLessThan(70);
  // Every node decision of those chains, counted: the loop stopped at the cap on visits without a
  // step (one decision past the last allowed route), far below the whole journey's budget.
  const recorded = await readJourneyHistory(stack.server.client, res.body.id);
  const visits = buildTimeline(recorded!.records).entries.filter((e) => e.event === 'node').length;
  expect(visits).toBeGreaterThanOrEqual(MAX_VISITS_WITHOUT_INPUT);
  expect(visits).toBeLessThanOrEqual(MAX_VISITS_WITHOUT_INPUT + 1);
  expect(visits).toBeLessThan(MAX_TRANSITIONS);
});

it('asking for the MFA ACR without a session signs the user in first, then asks the second factor', async () => {
  const { tenant, user, login, password } = await tenantWithUser(db);
  const secret = newTotpSecret();
  await saveTotpSecret(db, tenant, user.id, secret, 0);
  const client = await createOidcClient(db, tenant, { client_name: 'Web', redirect_uris: ['https://web.example/cb'], first_party: true });
  const url = new URL(`${stack.url}/t/${tenant}/oidc/auth`);
  for (const [k, v] of Object.entries({
    client_id: client.clientId, redirect_uri: 'https://web.example/cb', response_type: 'code', scope: 'openid', state: 's1',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', acr_values: 'urn:tessera:acr:mfa',
  })) url.searchParams.set(k, v);
  const browser = new OidcBrowser(stack.url, tenant);
  const landing = await browser.follow(url.href);
  if (landing.kind !== 'journey') throw new Error(`expected a journey, got ${landing.kind}`);
  expect(landing.journey.step?.fields?.[0]?.name).toBe('username');
  const end = await browser.completeJourney({ username: login, password, code: () => totpCode(secret) });
  expect(end.kind).toBe('callback');
  const session = await getSession(db, tenant, browser.cookies.get('tessera_session')!);
  expect(session).toMatchObject({ userId: user.id, acr: 'urn:tessera:acr:mfa' });
  expect(session!.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
}, 60_000);
