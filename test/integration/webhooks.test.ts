// Webhooks over a real HTTP receiver, a real Temporal dev server and the test database: events of
// the chosen types only, signed and verifiable; a receiver that fails is retried until it answers
// 2xx (delivered once) or until the webhook's dead-letter time (dead-lettered); the secret and the
// event's content never in a workflow history; a worker restart (and a dispatcher that crashed
// before marking an event dispatched) never delivers twice; the CLI uses the same operations.
import { randomUUID } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { createUser } from '../../core/accounts/users.ts';
import { recordAudit } from '../../core/infra/audit.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { ensureSigningKeys, signJwt } from '../../core/oidc/signing-keys.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { EVENT_ID_HEADER, verifySignature } from '../../core/webhooks/signature.ts';
import { rememberConsent } from '../../server/protocols/oidc/consent-store.ts';
import { startWebhookDispatcher, type RunningDispatcher } from '../../bin/runtime/webhook-dispatcher.ts';
import { webhookDeliveryWorkflowId } from '../../workflows/webhook-delivery-contracts.ts';
import { adminRequest, moderatedTenant } from '../support/admin-api.ts';
import { codec, startWorker, uniqueTenantId } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { runTessera } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';
import { eventually, WebhookReceiver, type Received } from '../support/webhook-receiver.ts';

vi.setConfig({ testTimeout: 120_000 });

const receiver = new WebhookReceiver();
const stack = useStack({ onClose: async () => { await dispatcher?.stop(); await receiver.stop(); } });
const { db } = stack;
let dispatcher: RunningDispatcher | undefined;

const RETRY_BASE_MS = 300;
const startDispatcher = () => startWebhookDispatcher({
  db, temporal: stack.server.client, taskQueue: stack.config.taskQueue, retryBaseMs: RETRY_BASE_MS, pollMs: 100,
});

beforeAll(async () => {
  await receiver.start();
  dispatcher = startDispatcher();
});

async function adminTenant(): Promise<{ tenant: string; api: (method: string, path: string, body?: unknown) => ReturnType<typeof adminRequest> }> {
  const tenant = uniqueTenantId('wh');
  await createTenant(db, tenant);
  const { token } = await createAdminToken(db, tenant, 'ops');
  return { tenant, api: (method, path, body) => adminRequest(stack.url, tenant, token, method, path, body) };
}

/** Creates a webhook through the API; returns its id and secret. */
async function webhook(api: Awaited<ReturnType<typeof adminTenant>>['api'], url: string, eventTypes: string[], extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/webhooks', { url, eventTypes, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string };
}

async function signIn(tenant: string, login: string, password: string): Promise<JourneyApi> {
  const journey = new JourneyApi(stack.url, tenant);
  expect((await journey.start()).status).toBe(201);
  await journey.submit({ username: login });
  expect((await journey.submit({ password })).body.status).toBe('succeeded');
  return journey;
}

const types = (received: Received[]) => received.map((r) => r.event.type);
const delivered = (path: string) => receiver.at(path).filter((r) => r.answered < 300);

async function deliveryRow(webhookId: string, eventId?: string) {
  const rows = await db`SELECT * FROM webhook_deliveries WHERE webhook_id = ${webhookId}
    ${eventId ? db`AND event_id = ${eventId}` : db``} ORDER BY created_at`;
  return rows;
}

/** Every payload of the workflow's history, decrypted with the test codec, as one string. */
async function decodedHistory(workflowId: string): Promise<string> {
  const history = await stack.server.client.workflow.getHandle(workflowId).fetchHistory();
  const payloads: Payload[] = [];
  const collect = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if ('metadata' in value && 'data' in value && (value as Payload).data instanceof Uint8Array) payloads.push(value as Payload);
    else for (const inner of Object.values(value)) collect(inner);
  };
  collect(history.events);
  const decoded = await codec.decode(payloads);
  return decoded.map((p) => Buffer.from(p.data!).toString('utf8')).join('\n');
}

describe('management', () => {
  it('creates a webhook with its secret shown once, refuses plain http, unknown types and bad dead-letter times, and changes nothing', async () => {
    const { tenant, api } = await adminTenant();
    const refusals: [unknown, RegExp][] = [
      [{ url: 'http://hooks.example.com/x', eventTypes: ['user.created'] }, /https/],
      [{ url: 'https://u:p@hooks.example.com/x', eventTypes: ['user.created'] }, /credentials/],
      [{ url: 'https://hooks.example.com/x', eventTypes: ['user.exploded'] }, /eventTypes/],
      [{ url: 'https://hooks.example.com/x', eventTypes: [] }, /eventTypes/],
      [{ url: 'https://hooks.example.com/x', eventTypes: ['user.created'], deadLetterAfter: '30d' }, /deadLetterAfter/],
      [{ url: 'https://hooks.example.com/x', eventTypes: ['user.created'], deadLetterAfter: 'soon' }, /deadLetterAfter/],
      [{ url: 'https://hooks.example.com/x', eventTypes: ['user.created'], secret: 'mine' }, /secret/],
    ];
    for (const [body, message] of refusals) {
      const res = await api('POST', '/webhooks', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await api('GET', '/webhooks')).body).toEqual({ items: [], next: null });

    const created = await api('POST', '/webhooks', { url: 'https://hooks.example.com/x', eventTypes: ['user.deleted', 'user.created', 'user.created'], deadLetterAfter: '90m' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: 'https://hooks.example.com/x', eventTypes: ['user.created', 'user.deleted'], enabled: true, deadLetterAfter: '90m' });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const read = await api('GET', `/webhooks/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    expect(JSON.stringify((await api('GET', '/webhooks')).body)).not.toContain(created.body.secret);

    const stale = await api('PATCH', `/webhooks/${created.body.id}`, { enabled: false });
    expect(stale.body).toMatchObject({ enabled: false, eventTypes: ['user.created', 'user.deleted'] });
    expect((await api('PATCH', `/webhooks/${created.body.id}`, { url: 'http://example.com/' })).status).toBe(400);
    expect((await api('GET', `/webhooks/${created.body.id}`)).body.url).toBe('https://hooks.example.com/x');
    expect((await api('GET', `/webhooks/${randomUUID()}`)).status).toBe(404);

    const audit = await db`SELECT type, data FROM audit_events WHERE tenant_id = ${tenant} AND type LIKE 'admin.webhooks.%' ORDER BY id`;
    expect(audit.map((a) => a.type)).toEqual(['admin.webhooks.create', 'admin.webhooks.update']);
    expect(JSON.stringify(audit)).not.toContain(created.body.secret);
    expect((await api('DELETE', `/webhooks/${created.body.id}`)).status).toBe(204);
    expect((await api('GET', `/webhooks/${created.body.id}`)).status).toBe(404);
  });

  it('keeps tenants apart: another tenant\'s webhook is unknown, and its admin cannot reach ours', async () => {
    const ours = await adminTenant();
    const theirs = await adminTenant();
    const hook = await webhook(theirs.api, 'https://hooks.example.com/theirs', ['user.created']);
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['GET', '/deliveries']] as const) {
      const res = await ours.api(method, `/webhooks/${hook.id}${path}`, method === 'PATCH' ? { enabled: false } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await ours.api('GET', '/webhooks')).body.items).toEqual([]);
    const { token } = await createAdminToken(db, theirs.tenant, 'other');
    expect((await adminRequest(stack.url, ours.tenant, token, 'GET', '/webhooks')).status).toBe(404);
    expect((await theirs.api('GET', `/webhooks/${hook.id}`)).body).toMatchObject({ enabled: true });
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = await (await fetch(`${stack.url}/api/admin/openapi.json`)).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/t/{tenant}/api/admin/webhooks', '/t/{tenant}/api/admin/webhooks/{id}', '/t/{tenant}/api/admin/webhooks/{id}/deliveries']));
  });
});

describe('delivery', () => {
  it('delivers signed events of the chosen types only, from admin actions, journeys, logout and the account API', async () => {
    const { tenant, api } = await adminTenant();
    const all = await webhook(api, receiver.answer(`/all-${tenant}`, 200),
      ['user.created', 'user.disabled', 'user.deleted', 'login.succeeded', 'login.failed', 'session.ended', 'consent.revoked']);
    const onlyDeleted = await webhook(api, receiver.answer(`/deleted-${tenant}`, 200), ['user.deleted']);

    const password = 'granite lantern 7 owls';
    const ann = await api('POST', '/users', { email: `ann@${tenant}.example`, password });
    expect(ann.status).toBe(201);
    expect((await api('PATCH', `/users/${ann.body.id}`, { name: 'Ann' })).status).toBe(200);
    const bob = await createUser(db, tenant, { email: `bob@${tenant}.example`, password });
    const journey = await signIn(tenant, `bob@${tenant}.example`, password);
    expect((await journey.request('POST', `/t/${tenant}/api/session/logout`, {})).status).toBe(200);
    const failing = new JourneyApi(stack.url, tenant);
    await failing.start();
    await failing.submit({ username: `bob@${tenant}.example` });
    expect((await failing.submit({ password: 'not it' })).body.step.node).toBe('password');

    await createOidcClient(db, tenant, { client_id: 'shop', client_name: 'Shop', redirect_uris: ['https://shop.test/cb'], token_endpoint_auth_method: 'none' } as never);
    await rememberConsent(db, tenant, bob.id, 'shop', { scopes: ['openid'], claims: [], resources: {} });
    await ensureSigningKeys(db, tenant);
    const now = Math.floor(Date.now() / 1000);
    const token = await signJwt(db, tenant, {
      iss: `${stack.config.publicUrl}/t/${tenant}`, aud: `${stack.config.publicUrl}/t/${tenant}/api/account`,
      sub: bob.id, client_id: 'tessera-account', iat: now, exp: now + 300,
    }, { typ: 'at+jwt' });
    const revoke = await fetch(`${stack.url}/t/${tenant}/api/account/applications/shop`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(revoke.status).toBe(204);

    expect((await api('PATCH', `/users/${ann.body.id}`, { status: 'disabled' })).status).toBe(200);
    expect((await api('DELETE', `/users/${ann.body.id}`)).status).toBe(204);

    const expected = ['user.created', 'login.succeeded', 'session.ended', 'login.failed', 'consent.revoked', 'user.disabled', 'user.deleted'];
    await eventually('every event at the receiver', () => delivered(`/all-${tenant}`).length >= expected.length);
    await eventually('the deleted event at the second receiver', () => delivered(`/deleted-${tenant}`).length >= 1);
    const got = delivered(`/all-${tenant}`);
    expect(types(got).sort()).toEqual([...expected].sort());
    expect(types(delivered(`/deleted-${tenant}`))).toEqual(['user.deleted']);

    for (const r of got) {
      expect(verifySignature(all.secret, String(r.headers['tessera-signature']), r.body), r.event.type).toBe(true);
      expect(verifySignature(onlyDeleted.secret, String(r.headers['tessera-signature']), r.body)).toBe(false);
      expect(r.headers[EVENT_ID_HEADER.toLowerCase()]).toBe(r.event.id);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.event).toMatchObject({ tenant, id: expect.any(String), occurredAt: expect.any(String) });
      expect(r.body).not.toContain(password);
    }
    const byType = Object.fromEntries(got.map((r) => [r.event.type, r.event.data]));
    expect(byType['user.created']).toMatchObject({ user: ann.body.id, via: 'admin', actor: 'admin:ops' });
    expect(byType['login.succeeded']).toMatchObject({ user: bob.id, tree: 'login' });
    expect(byType['login.failed']).toMatchObject({ user: bob.id, reason: 'wrong_password' });
    expect(byType['session.ended']).toMatchObject({ user: bob.id, by: 'logout' });
    expect(byType['consent.revoked']).toMatchObject({ user: bob.id, client: 'shop' });
    expect(byType['user.disabled']).toMatchObject({ user: ann.body.id });
    expect(byType['user.deleted']).toMatchObject({ user: ann.body.id });
    // Each (webhook, event) once: distinct event ids, and the deliveries list says delivered.
    expect(new Set(got.map((r) => r.event.id)).size).toBe(got.length);
    const list = await eventually('every delivery closed', async () => {
      const res = await api('GET', `/webhooks/${all.id}/deliveries?status=delivered`);
      return res.body.items.length === expected.length ? res : undefined;
    });
    expect(list.body.items[0]).toMatchObject({ status: 'delivered', attempts: 1, responseCode: 200, lastError: null });
  });

  it('tells of accounts created by signup and approved by an admin', async () => {
    const { tenant, token } = await moderatedTenant(db);
    const api = (method: string, path: string, body?: unknown) => adminRequest(stack.url, tenant, token, method, path, body);
    await webhook(api, receiver.answer(`/reg-${tenant}`, 200), ['user.created', 'user.approved']);
    const signup = new JourneyApi(stack.url, tenant);
    expect((await signup.start('registration')).status).toBe(201);
    expect((await signup.submit({ email: `cat@${tenant}.example`, name: 'Cat', password: 'violet staple orbit 42', invitation: '' })).status).toBe(200);
    const created = await eventually('user.created', () => delivered(`/reg-${tenant}`).find((r) => r.event.type === 'user.created'));
    expect(created.event.data).toMatchObject({ via: 'registration', status: 'pending', user: expect.any(String) });
    const approval = await eventually('the approval', async () => (await api('GET', '/approvals')).body.items[0]);
    expect((await api('POST', `/approvals/${approval.id}/approve`, {})).status).toBe(200);
    const approved = await eventually('user.approved', () => delivered(`/reg-${tenant}`).find((r) => r.event.type === 'user.approved'));
    expect(approved.event.data).toMatchObject({ user: created.event.data.user, actor: 'admin:ops' });
  });

  it('writes an event once per audit record: a retried activity (same dedupe key) writes no second outbox row, a tenant without webhooks none', async () => {
    const { tenant, api } = await adminTenant();
    const quiet = await adminTenant();
    await webhook(api, receiver.answer(`/dedupe-${tenant}`, 200), ['session.ended']);
    for (const t of [tenant, quiet.tenant]) {
      for (let i = 0; i < 2; i++) await recordAudit(db, { tenant: t, type: 'session.ended', subject: randomUUID(), dedupeKey: 'session.ended:same' });
    }
    const outbox = await db`SELECT tenant_id, count(*)::int AS n FROM webhook_outbox WHERE tenant_id IN (${tenant}, ${quiet.tenant}) GROUP BY tenant_id`;
    expect(outbox.map((r) => ({ ...r }))).toEqual([{ tenant_id: tenant, n: 1 }]);
    await eventually('one delivery', () => delivered(`/dedupe-${tenant}`).length === 1);
  });
});

describe('secret rotation', () => {
  it('signs with the new and the old secret during the grace, then with the new one only', async () => {
    const { tenant, api } = await adminTenant();
    const path = `/rotate-${tenant}`;
    const hook = await webhook(api, receiver.answer(path, 200), ['session.ended']);
    const rotated = await api('POST', `/webhooks/${hook.id}/rotate-secret`, { grace: '1h' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    // Both secrets are stored sealed, each bound to its own column (secrets at rest).
    const [stored] = await db`SELECT secret, previous_secret FROM webhooks WHERE tenant_id = ${tenant} AND id = ${hook.id}`;
    expect(stored!.secret).toMatch(/^enc:v1:/);
    expect(stored!.previous_secret).toMatch(/^enc:v1:/);
    expect(JSON.stringify(stored)).not.toContain(hook.secret.slice(6));
    expect(JSON.stringify(stored)).not.toContain(rotated.body.secret.slice(6));
    await recordAudit(db, { tenant, type: 'session.ended', subject: randomUUID() });
    await eventually('the first event', () => delivered(path).length === 1);
    const during = delivered(path)[0]!;
    expect(String(during.headers['tessera-signature']).match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(rotated.body.secret, String(during.headers['tessera-signature']), during.body)).toBe(true);
    expect(verifySignature(hook.secret, String(during.headers['tessera-signature']), during.body)).toBe(true);

    const again = await api('POST', `/webhooks/${hook.id}/rotate-secret`, { grace: '0s' });
    await recordAudit(db, { tenant, type: 'session.ended', subject: randomUUID() });
    await eventually('the second event', () => delivered(path).length === 2);
    const after = delivered(path)[1]!;
    expect(verifySignature(again.body.secret, String(after.headers['tessera-signature']), after.body)).toBe(true);
    expect(verifySignature(rotated.body.secret, String(after.headers['tessera-signature']), after.body)).toBe(false);
    expect((await api('POST', `/webhooks/${hook.id}/rotate-secret`, { grace: '8d' })).status).toBe(400);
    const audit = await db`SELECT data FROM audit_events WHERE tenant_id = ${tenant} AND type = 'admin.webhooks.rotate-secret'`;
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain('whsec_');
  });
});

describe('retries', () => {
  it('retries a receiver that answers 500, then delivers once; the secret and the event are not in the history', async () => {
    const { tenant, api } = await adminTenant();
    const path = `/flaky-${tenant}`;
    const hook = await webhook(api, receiver.answer(path, (_r, seen) => (seen.some((s) => s.path === path) ? 200 : 500)), ['user.created']);
    const user = await api('POST', '/users', { email: `dee@${tenant}.example` });
    await eventually('a 2xx', () => delivered(path).length === 1);
    const hits = receiver.at(path);
    expect(hits.map((h) => h.answered)).toEqual([500, 200]);
    expect(hits[0]!.event.id).toBe(hits[1]!.event.id);
    expect(hits[1]!.headers['tessera-delivery-attempt']).toBe('2');
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(RETRY_BASE_MS - 50);
    for (const h of hits) expect(verifySignature(hook.secret, String(h.headers['tessera-signature']), h.body)).toBe(true);
    const row = await eventually('delivered row', async () => (await deliveryRow(hook.id)).find((r) => r.status === 'delivered'));
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, response_code: 200 });

    const history = await decodedHistory(webhookDeliveryWorkflowId({ webhookId: hook.id, eventId: hits[0]!.event.id }));
    expect(history).toContain(hook.id);
    expect(history).not.toContain(hook.secret);
    expect(history).not.toContain(hook.secret.slice(6));
    expect(history).not.toContain(`dee@${tenant}.example`);
    expect(history).not.toContain(user.body.id);
    // Nothing more arrives later.
    await new Promise((r) => setTimeout(r, RETRY_BASE_MS * 4));
    expect(receiver.at(path)).toHaveLength(2);
  });

  it('dead-letters a delivery the receiver never accepts once the webhook\'s dead-letter time has passed', async () => {
    const { tenant, api } = await adminTenant();
    const path = `/down-${tenant}`;
    const hook = await webhook(api, receiver.answer(path, 503), ['user.created'], { deadLetterAfter: '3s' });
    await api('POST', '/users', { email: `eve@${tenant}.example` });
    const row = await eventually('dead-lettered', async () => (await deliveryRow(hook.id)).find((r) => r.status === 'dead-lettered'), 60_000);
    const hits = receiver.at(path);
    const span = hits[hits.length - 1]!.at - hits[0]!.at;
    expect(span).toBeGreaterThanOrEqual(2_900);
    // The schedule, not the wall clock, bounds the attempts (a loaded CI machine stretches the
    // span): retries after 300, 600 and 1,200 ms, then one at the 3 s deadline, so at most five;
    // a workflow that kept retrying past the deadline would make more.
    expect(hits.length).toBeGreaterThanOrEqual(3);
    expect(hits.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < hits.length - 1; i++) expect(hits[i]!.at - hits[i - 1]!.at).toBeGreaterThanOrEqual(RETRY_BASE_MS * 2 ** (i - 1) - 50);
    expect(row).toMatchObject({ attempts: hits.length, response_code: 503, last_error: 'the receiver answered 503' });
    const listed = await api('GET', `/webhooks/${hook.id}/deliveries?status=dead-lettered`);
    expect(listed.body.items).toEqual([expect.objectContaining({ status: 'dead-lettered', attempts: hits.length })]);
    const [audit] = await db`SELECT data FROM audit_events WHERE tenant_id = ${tenant} AND type = 'webhook.dead_lettered'`;
    expect(audit!.data).toMatchObject({ webhook: hook.id, error: 'the receiver answered 503' });
    await new Promise((r) => setTimeout(r, RETRY_BASE_MS * 4));
    expect(receiver.at(path)).toHaveLength(hits.length);
  });

  it('stops retrying when the webhook is disabled', async () => {
    const { tenant, api } = await adminTenant();
    const path = `/off-${tenant}`;
    const hook = await webhook(api, receiver.answer(path, 500), ['user.created']);
    await api('POST', '/users', { email: `fay@${tenant}.example` });
    await eventually('a first attempt', () => receiver.at(path).length >= 1);
    await api('PATCH', `/webhooks/${hook.id}`, { enabled: false });
    const row = await eventually('closed', async () => (await deliveryRow(hook.id)).find((r) => r.status !== 'pending'));
    expect(row).toMatchObject({ status: 'dead-lettered', last_error: 'the webhook was disabled' });
  });
});

describe('crashes', () => {
  it('a worker restart and a dispatcher that never marked the event dispatched deliver once', async () => {
    const { tenant, api } = await adminTenant();
    const path = `/restart-${tenant}`;
    let open = false;
    const hook = await webhook(api, receiver.answer(path, () => (open ? 200 : 500)), ['user.created'], {});
    await api('POST', '/users', { email: `gus@${tenant}.example` });
    await eventually('a failed attempt', () => receiver.at(path).length >= 1);
    const first = receiver.at(path)[0];
    const workflowId = webhookDeliveryWorkflowId({ webhookId: hook.id, eventId: first!.event.id });
    const { runId } = await stack.server.client.workflow.getHandle(workflowId).describe();

    await dispatcher!.stop();
    await stack.worker.stop();
    // As if the dispatcher had died after starting the workflow but before marking the event.
    await db`UPDATE webhook_outbox SET dispatched_at = NULL WHERE event_id = ${first!.event.id}`;
    open = true;
    stack.worker = await startWorker(stack.config, db);
    // Two dispatchers (two worker processes) race for the same event.
    const second = startDispatcher();
    dispatcher = startDispatcher();
    try {
      await eventually('a 2xx', () => delivered(path).length >= 1);
      await eventually('dispatched again', async () => (await db`SELECT 1 FROM webhook_outbox WHERE event_id = ${first!.event.id} AND dispatched_at IS NOT NULL`).length);
    } finally {
      await second.stop();
    }
    await new Promise((r) => setTimeout(r, RETRY_BASE_MS * 4));
    expect(delivered(path)).toHaveLength(1);
    const description = await stack.server.client.workflow.getHandle(workflowId).describe();
    expect(description.runId).toBe(runId);
    expect(description.status.name).toBe('COMPLETED');
    expect(await deliveryRow(hook.id)).toHaveLength(1);

    // Even once Temporal has forgotten the run, a closed delivery is not started again.
    await db`UPDATE webhook_outbox SET dispatched_at = NULL WHERE event_id = ${first!.event.id}`;
    await eventually('dispatched again', async () => (await db`SELECT 1 FROM webhook_outbox WHERE event_id = ${first!.event.id} AND dispatched_at IS NOT NULL`).length);
    expect(delivered(path)).toHaveLength(1);
  });
});

describe('CLI', () => {
  it('creates, lists and deletes webhooks with the API\'s checks', async () => {
    const tenant = uniqueTenantId('whcli');
    await createTenant(db, tenant);
    const env = { DATABASE_URL: inject('databaseUrl') };
    const url = receiver.answer(`/cli-${tenant}`, 200);
    const created = await runTessera(['webhooks', 'create', '--tenant', tenant, '--url', url, '--event', 'user.created', '--event', 'user.deleted', '--dead-letter', '1h', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const hook = JSON.parse(created.stdout);
    expect(hook).toMatchObject({ url, events: 'user.created,user.deleted', deadLetter: '1h', secret: expect.stringMatching(/^whsec_/) });

    const refused = await runTessera(['webhooks', 'create', '--tenant', tenant, '--url', 'http://hooks.example.com/', '--event', 'user.created'], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toMatch(/^tessera: .*https/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);

    const listed = await runTessera(['webhooks', 'list', '--tenant', tenant, '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: hook.id, url })]);
    expect(listed.stdout).not.toContain(hook.secret);

    await createUser(db, tenant, { email: `hal@${tenant}.example` });
    await recordAudit(db, { tenant, type: 'admin.users.create', actor: 'test', subject: randomUUID() });
    await eventually('the event', () => delivered(`/cli-${tenant}`).length >= 1);
    const [event] = delivered(`/cli-${tenant}`);
    expect(verifySignature(hook.secret, String(event!.headers['tessera-signature']), event!.body)).toBe(true);

    const deliveries = await eventually('the delivery closed', async () => {
      const res = await runTessera(['webhooks', 'deliveries', '--tenant', tenant, '--id', hook.id, '--status', 'delivered', '--json'], env);
      expect(res.code, res.stderr).toBe(0);
      const rows = JSON.parse(res.stdout);
      return rows.length ? rows : undefined;
    });
    expect(deliveries).toEqual([expect.objectContaining({ event: event!.event.id, type: 'user.created', status: 'delivered', attempts: 1 })]);

    const deleted = await runTessera(['webhooks', 'delete', '--tenant', tenant, '--id', hook.id], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse((await runTessera(['webhooks', 'list', '--tenant', tenant, '--json'], env)).stdout)).toEqual([]);
  });
});
