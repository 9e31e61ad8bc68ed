// Rate limits (issue 13, item 6): journey starts per address and per tenant, signups (registration
// journeys) per address and per tenant, the starts of the protocols (OIDC, SAML SSO, legacy), mails
// per recipient — durable counters in PostgreSQL that every server replica shares, 429 with
// Retry-After on the Journey API, silent suppression of mail; and the text a signup chooses
// reaches its mail short and never as a link.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as oidc from 'openid-client';
import { createMailer } from '../../core/infra/mail.ts';
import { updateLegacySettings } from '../../core/legacy/legacy-settings.ts';
import { createOidcClient } from '../../core/oidc/oidc-clients.ts';
import { inertText, renderTemplate, USER_TEXT_MAX } from '../../core/infra/mail-templates.ts';
import { hit, hitInOrder, limitKey } from '../../core/infra/rate-limit.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { startServer, uniqueTenantId, type RunningServer } from '../support/harness.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { samlifySp } from '../support/saml-sps.ts';
import { useStack } from '../support/stack.ts';
import { wellInsideWindow } from '../support/rate-window.ts';

vi.setConfig({ testTimeout: 60_000 });

const stack = useStack({ localhost: true, config: { trustProxy: true } });
let replica: RunningServer;

beforeAll(async () => {
  replica = await startServer({ ...stack.config, port: 0 }, stack.db);
});
afterAll(async () => {
  await replica?.stop();
});

async function tenantWithLimits(rateLimits: Record<string, unknown>): Promise<string> {
  const tenant = uniqueTenantId('rl');
  await createTenant(stack.db, tenant);
  await stack.db`UPDATE tenants SET settings = jsonb_set(settings, '{rateLimits}', ${stack.db.json(rateLimits as never)}) WHERE id = ${tenant}`;
  return tenant;
}

async function start(base: string, tenant: string, address: string, kind = 'login'): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const res = await fetch(`${base}/t/${tenant}/api/journeys`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ kind }),
  });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

describe('journey starts', () => {
  it('are limited per address and per tenant, on every replica alike, with 429 and Retry-After', async () => {
    const tenant = await tenantWithLimits({ journeyStartsPerAddress: { limit: 3, window: '1m' }, journeyStartsPerTenant: { limit: 5, window: '1m' } });
    await wellInsideWindow();
    for (let i = 0; i < 2; i++) expect((await start(stack.url, tenant, '203.0.113.1')).status).toBe(201);
    // The third from the same address goes to another replica: the count is shared.
    expect((await start(replica.url, tenant, '203.0.113.1')).status).toBe(201);
    const refused = await start(replica.url, tenant, '203.0.113.1');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect((await start(stack.url, tenant, '203.0.113.1')).status).toBe(429);

    // Another address still gets in, until the tenant's own limit is reached.
    expect((await start(stack.url, tenant, '203.0.113.2')).status).toBe(201);
    expect((await start(stack.url, tenant, '203.0.113.2')).status).toBe(201);
    expect((await start(stack.url, tenant, '203.0.113.3')).status).toBe(429);

    // Another tenant is not affected; nothing stored names the address.
    const other = await tenantWithLimits({});
    expect((await start(stack.url, other, '203.0.113.1')).status).toBe(201);
    const rows = await stack.db`SELECT key_hash FROM rate_limit_hits WHERE tenant_id = ${tenant}`;
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain('203.0.113');
  });

  it('of registration journeys are also counted as signups per address', async () => {
    const tenant = await tenantWithLimits({ signupsPerAddress: { limit: 2, window: '1h' } });
    await stack.db`UPDATE tenants SET settings = jsonb_set(settings, '{registration}', '{"enabled": true}') WHERE id = ${tenant}`;
    for (let i = 0; i < 2; i++) expect((await start(stack.url, tenant, '198.51.100.7', 'registration')).status).toBe(201);
    const refused = await start(stack.url, tenant, '198.51.100.7', 'registration');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(60);
    expect((await start(stack.url, tenant, '198.51.100.7', 'login')).status).toBe(201);
    expect((await start(stack.url, tenant, '198.51.100.8', 'registration')).status).toBe(201);
  });

  it('of registration journeys are also counted as signups per tenant, whatever the address', async () => {
    const tenant = await tenantWithLimits({ signupsPerTenant: { limit: 2, window: '1h' } });
    await stack.db`UPDATE tenants SET settings = jsonb_set(settings, '{registration}', '{"enabled": true}') WHERE id = ${tenant}`;
    expect((await start(stack.url, tenant, '198.51.100.21', 'registration')).status).toBe(201);
    expect((await start(replica.url, tenant, '198.51.100.22', 'registration')).status).toBe(201);
    const refused = await start(stack.url, tenant, '198.51.100.23', 'registration');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.retryAfter)).toBeGreaterThan(60);
    // Sign-ins are not signups: they still start.
    expect((await start(stack.url, tenant, '198.51.100.23', 'login')).status).toBe(201);
  });

  it('keep counting with the defaults, generous enough for a test suite', async () => {
    const tenant = await tenantWithLimits({});
    for (let i = 0; i < 20; i++) expect((await start(stack.url, tenant, '192.0.2.9')).status).toBe(201);
  });
});

describe('journeys the protocols start for a browser', () => {
  it('count as journey starts: past the limit, OIDC and the legacy login answer 429 with Retry-After', async () => {
    const tenant = await tenantWithLimits({ journeyStartsPerAddress: { limit: 2, window: '1m' } });
    await wellInsideWindow();
    const client = await createOidcClient(stack.db, tenant, { redirect_uris: ['https://rp.example/cb'], grant_types: ['authorization_code'], first_party: true });
    await updateLegacySettings(stack.db, tenant, { allowedNext: ['https://svc.example/app'] });
    const authorize = async () => {
      const url = new URL(`${stack.url}/t/${tenant}/oidc/auth`);
      url.search = new URLSearchParams({
        client_id: client.clientId, response_type: 'code', redirect_uri: 'https://rp.example/cb', scope: 'openid', state: 's',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
      }).toString();
      return new OidcBrowser(stack.url, tenant).follow(url.href);
    };
    expect((await authorize()).kind).toBe('journey');
    expect((await authorize()).kind).toBe('journey');
    const refused = await authorize();
    expect(refused).toMatchObject({ kind: 'page', status: 429 });
    expect(refused.kind === 'page' && refused.html).toContain('Too many sign-in attempts');

    const legacy = await fetch(`${stack.url}/t/${tenant}/login?next=${encodeURIComponent('https://svc.example/app')}`, { redirect: 'manual' });
    expect(legacy.status).toBe(429);
    expect(Number(legacy.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('count as journey starts for SAML SSO too: past the limit, 429 with Retry-After and a page', async () => {
    const tenant = await tenantWithLimits({ journeyStartsPerAddress: { limit: 2, window: '1m' } });
    await wellInsideWindow();
    const sp = await samlifySp(stack.db, stack.url, tenant, { entityId: 'https://sp-limits.example/metadata' });
    const sso = () => {
      const { context } = sp.sp.createLoginRequest(sp.idp, 'redirect') as { context: string };
      return new OidcBrowser(stack.url, tenant).follow(context);
    };
    expect((await sso()).kind).toBe('journey');
    expect((await sso()).kind).toBe('journey');
    const refused = await sso();
    expect(refused).toMatchObject({ kind: 'page', status: 429 });
    expect(refused.kind === 'page' && refused.html).toContain('Too many sign-in attempts');
    const raw = await fetch(sp.sp.createLoginRequest(sp.idp, 'redirect').context, { redirect: 'manual' });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(raw.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });
});

describe('mails per recipient', () => {
  it('are sent up to the limit, then silently not sent, answering the caller the same', async () => {
    const tenant = await tenantWithLimits({ mailsPerRecipient: { limit: 2, window: '1h' } });
    const lines: string[] = [];
    const mailer = createMailer({ db: stack.db, log: (line) => lines.push(line) });
    const receipts = [];
    for (let i = 0; i < 4; i++) {
      receipts.push(await mailer.send({ tenant, to: i % 2 ? 'Victim@Example.org' : 'victim@example.org', template: 'recovery-link', vars: { link: `https://x/${i}` }, dedupeKey: `k${i}`, meta: { i } }));
    }
    expect(receipts).toEqual([0, 1, 2, 3].map((i) => ({ sent: true, meta: { i } })));
    const rows = await stack.db`SELECT dedupe_key, transport, text_body FROM mail_messages WHERE tenant_id = ${tenant} ORDER BY id`;
    expect(rows.map((r) => r.transport)).toEqual(['dev', 'dev', 'suppressed', 'suppressed']);
    expect(rows[2]!.text_body).toBeNull();
    // A retried send of a suppressed message stays unsent and gets the first meta back.
    expect(await mailer.send({ tenant, to: 'victim@example.org', template: 'recovery-link', vars: {}, dedupeKey: 'k2', meta: { i: 9 } }))
      .toEqual({ sent: false, meta: { i: 2 } });
    const suppressed = lines.filter((line) => line.includes('suppressed'));
    expect(suppressed).toHaveLength(2);
    expect(suppressed.join('\n')).not.toContain('victim');
    // Another recipient is not affected.
    await mailer.send({ tenant, to: 'other@example.org', template: 'recovery-link', vars: {}, dedupeKey: 'k9' });
    const [other] = await stack.db`SELECT transport FROM mail_messages WHERE tenant_id = ${tenant} AND dedupe_key = 'k9'`;
    expect(other!.transport).toBe('dev');
  });
});

describe('counters', () => {
  it('count several limits in order in one statement, none after the first refused', async () => {
    const tenant = await tenantWithLimits({});
    const [a, b, c] = ['a', 'b', 'c'].map((k) => limitKey('order', `${tenant}:${k}`));
    const rules = [{ key: a!, rule: { limit: 2, windowMs: 60_000 } }, { key: b!, rule: { limit: 1, windowMs: 60_000 } },
      { key: c!, rule: { limit: 9, windowMs: 3_600_000 } }];
    const hitsOf = async (key: string) => Number((await stack.db`SELECT coalesce(sum(hits), 0)::int AS n FROM rate_limit_hits
      WHERE tenant_id = ${tenant} AND key_hash = ${key}`)[0]!.n);
    expect((await hitInOrder(stack.db, tenant, rules)).map((r) => [r.allowed, r.hits])).toEqual([[true, 1], [true, 1], [true, 1]]);
    // b is now over its limit: c is not counted.
    const second = await hitInOrder(stack.db, tenant, rules);
    expect(second.map((r) => [r.allowed, r.hits])).toEqual([[true, 2], [false, 2]]);
    expect(second[1]!.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(second[1]!.retryAfterS).toBeLessThanOrEqual(60);
    // a is over too: neither b nor c counts.
    expect((await hitInOrder(stack.db, tenant, rules)).map((r) => [r.allowed, r.hits])).toEqual([[false, 3]]);
    expect([await hitsOf(a!), await hitsOf(b!), await hitsOf(c!)]).toEqual([3, 2, 1]);
    expect(await hitInOrder(stack.db, tenant, [])).toEqual([]);
  });

  it('delete windows that have passed, in the background', async () => {
    const tenant = await tenantWithLimits({});
    await stack.db`INSERT INTO rate_limit_hits (tenant_id, key_hash, window_start, hits, expires_at)
      VALUES (${tenant}, 'old', '2000-01-01T00:00:00Z', 5, '2000-01-01T00:01:00Z')`;
    for (let i = 0; i < 200; i++) await hit(stack.db, tenant, limitKey('test', String(i % 3)), { limit: 1000, windowMs: 60_000 });
    await vi.waitFor(async () => {
      expect(await stack.db`SELECT 1 FROM rate_limit_hits WHERE tenant_id = ${tenant} AND key_hash = 'old'`).toHaveLength(0);
    }, { timeout: 10_000, interval: 200 });
  });
});

describe('text a signup chooses, in the mail to the address it chose', () => {
  const bait = 'Claim your prize at https://evil.example/win or www.evil.example, mail me@evil.example';

  it('never becomes a link and is cut short', () => {
    const mail = renderTemplate('verify-email', { name: bait, link: 'https://idp.example/t/a/link/abc', tenant: 'a', expires: '1 day' });
    for (const part of [mail.text, mail.html]) {
      expect(part).not.toMatch(/evil\.example|https?:\/\/evil|www\.evil|@evil/);
    }
    expect(mail.html.match(/<a /g)).toHaveLength(1);
    expect(mail.text).toContain('https://idp.example/t/a/link/abc');
    expect([...inertText('x'.repeat(500))]).toHaveLength(USER_TEXT_MAX);
    expect(inertText('J. R. Smith')).toBe('J. R. Smith');
    expect(inertText('Ann\nLee\u202e')).toBe('Ann Lee');
  });
});
