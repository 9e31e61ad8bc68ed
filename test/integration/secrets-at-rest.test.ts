// Secrets at rest, against the real database: the raw tables hold no signing key, SAML key,
// upstream client secret, TOTP secret, client secret or SMTP password, yet a TOTP login, a
// federated login (client secrets both ways, signed ID token), tenant mail and SAML metadata work;
// rows from before sealing are sealed by the start-up step (any process opening the database, here
// the CLI); `tessera data-keys rotate` re-seals under a new key list and `status` shows it; with a
// key missing, errors name the key id and nothing of the secret, and the server keeps serving;
// a deployment on keys derived from the codec keys moves to TESSERA_DATA_KEYS with one rotation.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { parseCodecKeys } from '../../core/infra/codec.ts';
import { DataKeyring, SealedValueError } from '../../core/infra/data-encryption.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { dataKeyringFrom, deriveDataKeys, installDataKeyring, parseDataKeys } from '../../core/infra/data-keys.ts';
import { resealSecrets } from '../../core/infra/seal-stored-secrets.ts';
import { sealSecretsAtStartup } from '../../bin/runtime/secrets-at-rest.ts';
import { createMailer } from '../../core/infra/mail.ts';
import { logger } from '../../core/infra/logger.ts';
import { getTotpSecret, newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import { createUser } from '../../core/accounts/users.ts';
import { createOidcClient, getOidcClient } from '../../core/oidc/oidc-clients.ts';
import { ensureSigningKeys, providerJwks } from '../../core/oidc/signing-keys.ts';
import { tenantSamlCredentials } from '../../core/saml/saml-credentials.ts';
import { getIdp, saveIdp } from '../../core/federation/identity-providers.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { getTenantSettings, updateTenant } from '../../core/tenants/tenant-settings.ts';
import { TEST_CODEC_KEYS, TEST_DATA_KEYS } from '../support/codec-key.ts';
import { bringBack, pickIdp, upstreamTesseraLogin } from '../support/federation.ts';
import { tenantWithUser, uniqueTenantId, type TestUser } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { OidcBrowser } from '../support/oidc-browser.ts';
import { killAll, removeDir, runTessera, tempDir, type Env } from '../support/processes.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const stack = useStack({ localhost: true });
const { db } = stack;
const NEW_KEY = `new2:${randomBytes(32).toString('base64')}`;
const ROTATED = `${NEW_KEY},${TEST_DATA_KEYS}`;
const testKeyring = () => dataKeyringFrom(TEST_DATA_KEYS, parseCodecKeys(TEST_CODEC_KEYS));

interface Secrets { totp: string[]; clientSecret: string; smtpPassword: string; jwkD: string[]; samlKey: string }
let up: { tenant: string } & TestUser;
let down: string;
/** One user with TOTP per login that needs it: a code is accepted once per user and 30 s window. */
let totpUsers: TestUser[];
let totpLogins = 0;
const created: string[] = [];
let secrets: Secrets;
let sink: SmtpSink;
let dir: string;
let env: Env;

/** Every row of the two tenants in the tables that hold secrets, as the database stores them. */
async function rawRows(): Promise<string> {
  const tables = ['signing_keys', 'saml_credentials', 'identity_providers', 'totp_credentials', 'oidc_clients'];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await db.unsafe(`SELECT row_to_json(t)::text AS j FROM ${table} t WHERE tenant_id = ANY($1::text[])`, [[up.tenant, down]]);
    parts.push(...rows.map((r) => r.j as string));
  }
  parts.push(...(await db`SELECT settings::text AS j FROM tenants WHERE id IN (${up.tenant}, ${down})`).map((r) => r.j as string));
  return parts.join('\n');
}

function secretTexts(): string[] {
  return [...secrets.totp, secrets.clientSecret, secrets.smtpPassword, ...secrets.jwkD, secrets.samlKey];
}

async function expectNoSecretInTables(): Promise<void> {
  const raw = await rawRows();
  for (const text of secretTexts()) expect(raw.includes(text), `a secret is stored in the clear (${text.slice(0, 4)}…)`).toBe(false);
}

async function totpLogin(): Promise<string> {
  const i = totpLogins++;
  const user = totpUsers[i]!;
  const api = new JourneyApi(stack.url, up.tenant);
  expect((await api.start()).status).toBe(201);
  await api.submit({ username: user.login });
  const otp = await api.submit({ password: user.password });
  expect(otp.body.step?.node, JSON.stringify(otp.body)).toBe('otp');
  return (await api.submit({ code: totpCode(secrets.totp[i]!) })).body.status;
}

async function federatedLogin(): Promise<string | undefined> {
  const browser = new OidcBrowser(stack.url, down);
  const url = await pickIdp(browser, 'up');
  const callback = await upstreamTesseraLogin(stack.url, up.tenant, down, url, { username: up.login, password: up.password });
  const landing = await bringBack(browser, callback);
  return landing.kind === 'journey' ? landing.journey.status : landing.kind;
}

async function cli(args: string[], keys = TEST_DATA_KEYS) {
  return runTessera(['data-keys', ...args], { ...env, TESSERA_DATA_KEYS: keys });
}

async function status(tenant: string, keys = TEST_DATA_KEYS): Promise<{ place: string; key: string | null; values: number; state: string }[]> {
  const res = await cli(['status', '--tenant', tenant, '--json'], keys);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout);
}

beforeAll(async () => {
  dir = await tempDir('tessera-secrets-');
  env = { DATABASE_URL: inject('databaseUrl'), DATA_DIR: join(dir, 'data'), TESSERA_CODEC_KEYS: TEST_CODEC_KEYS };
  sink = await startSmtpSink();
  up = await tenantWithUser(db);
  created.push(up.tenant);
  totpUsers = [];
  const totp: string[] = [];
  for (let i = 0; i < 4; i++) {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const login = `totp${i}@${up.tenant}.example`;
    const user = await createUser(db, up.tenant, { email: login, password, status: 'active' });
    totpUsers.push({ user, password, login });
    totp.push(newTotpSecret());
    await saveTotpSecret(db, up.tenant, user.id, totp[i]!, 0);
  }
  down = uniqueTenantId('down');
  created.push(down);
  await createTenant(db, down);
  const client = await createOidcClient(db, up.tenant, {
    client_name: 'Downstream', redirect_uris: [`${stack.url}/t/${down}/federation/up/callback`],
    first_party: true, scope: 'openid profile email', grant_types: ['authorization_code'],
  });
  const clientSecret = client.metadata.client_secret!;
  await saveIdp(db, down, {
    kind: 'oidc', alias: 'up', displayName: 'Upstream',
    oidc: { issuer: `${stack.url}/t/${up.tenant}`, clientId: client.clientId, clientSecret, scopes: ['openid', 'email', 'profile'] },
    provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: true },
  });
  await ensureSigningKeys(db, up.tenant);
  const saml = await tenantSamlCredentials(db, up.tenant);
  const smtpPassword = `smtp-pw-${randomBytes(6).toString('hex')}`;
  await updateTenant(db, up.tenant, { settings: { smtp: { url: `smtp://mailer:${smtpPassword}@127.0.0.1:2525` } } });
  const jwks = await providerJwks(db, up.tenant);
  secrets = {
    totp, clientSecret, smtpPassword,
    jwkD: jwks.keys.map((k) => k.d as string),
    samlKey: saml.privateKeyPem.split('\n')[5]!,
  };
  expect(secrets.jwkD.length).toBeGreaterThanOrEqual(4);
});

afterAll(async () => {
  installDataKeyring(testKeyring());
  // Gone with their tenants: no value under a test-only key stays in a shared database.
  if (created.length) await db`DELETE FROM tenants WHERE id IN ${db(created)}`;
  await killAll();
  await sink?.close();
  await removeDir(dir);
});

describe('secrets at rest', () => {
  it('keeps every secret sealed in the tables, bound to the test data key', async () => {
    await expectNoSecretInTables();
    const totpRows = await db`SELECT secret FROM totp_credentials WHERE tenant_id = ${up.tenant}`;
    expect(totpRows.map((r) => r.secret)).toEqual(Array(4).fill(expect.stringMatching(/^enc:v1:codec\.test1:/)));
    const [clientRow] = await db`SELECT metadata->>'client_secret' AS s, metadata->>'client_name' AS n FROM oidc_clients WHERE tenant_id = ${up.tenant}`;
    expect(clientRow).toMatchObject({ s: expect.stringMatching(/^enc:v1:codec\.test1:/), n: 'Downstream' });
    const [smtpRow] = await db`SELECT settings #>> '{smtp,url}' AS u FROM tenants WHERE id = ${up.tenant}`;
    expect(smtpRow!.u).toMatch(/^enc:v1:codec\.test1:/);
    // Read back through the code, they are what was stored.
    expect(await getTotpSecret(db, up.tenant, totpUsers[0]!.user.id)).toBe(secrets.totp[0]);
    expect((await getOidcClient(db, up.tenant, (await getIdp(db, down, 'up'))!.oidc!.clientId))!.metadata.client_secret).toBe(secrets.clientSecret);
    expect((await getIdp(db, down, 'up'))!.oidc!.clientSecret).toBe(secrets.clientSecret);
    expect((await getTenantSettings(db, up.tenant))!.smtp).toEqual({ configured: true, host: '127.0.0.1:2525', from: null });
  });

  it('refuses a sealed value copied into another row', async () => {
    const other = await tenantWithUser(db);
    created.push(other.tenant);
    await saveTotpSecret(db, other.tenant, other.user.id, newTotpSecret(), 0);
    await db`UPDATE totp_credentials SET secret = (SELECT secret FROM totp_credentials WHERE tenant_id = ${up.tenant} AND user_id = ${totpUsers[0]!.user.id})
      WHERE tenant_id = ${other.tenant} AND user_id = ${other.user.id}`;
    await expect(getTotpSecret(db, other.tenant, other.user.id)).rejects.toThrow(/does not open with data key "codec\.test1" \(altered, or copied from another row\)/);
  });

  it('still signs in with TOTP and through the upstream IdP, sends tenant mail and serves SAML metadata', async () => {
    expect(await totpLogin()).toBe('succeeded');
    expect(await federatedLogin()).toBe('succeeded');
    await updateTenant(db, up.tenant, { settings: { smtp: { url: sink.url } } });
    const mailer = createMailer({ db, log: () => {} });
    const to = `someone@${up.tenant}.example`;
    await mailer.send({ tenant: up.tenant, to, template: 'signup-existing', vars: { tenant: up.tenant }, dedupeKey: `k-${randomBytes(4).toString('hex')}` });
    await sink.waitFor((m) => m.to.includes(to), 30_000);
    mailer.close();
    expect((await fetch(`${stack.url}/t/${up.tenant}/saml/metadata`)).status).toBe(200);
  });

  it('seals rows stored in plaintext before, when a process opens the database', async () => {
    // Rows as they were before sealing existed: every secret in the clear.
    const jwks = await providerJwks(db, up.tenant);
    for (const key of jwks.keys) {
      await db`UPDATE signing_keys SET private_jwk = ${db.json(key as never)} WHERE tenant_id = ${up.tenant} AND kid = ${key.kid!}`;
    }
    const saml = await tenantSamlCredentials(db, up.tenant);
    await db`UPDATE saml_credentials SET private_key_pem = ${saml.privateKeyPem} WHERE tenant_id = ${up.tenant}`;
    for (const [i, u] of totpUsers.entries()) {
      await db`UPDATE totp_credentials SET secret = ${secrets.totp[i]!} WHERE tenant_id = ${up.tenant} AND user_id = ${u.user.id}`;
    }
    await db`UPDATE oidc_clients SET metadata = jsonb_set(metadata, '{client_secret}', to_jsonb(${secrets.clientSecret}::text)) WHERE tenant_id = ${up.tenant}`;
    await db`UPDATE identity_providers SET config = jsonb_set(config, '{clientSecret}', to_jsonb(${secrets.clientSecret}::text)) WHERE tenant_id = ${down}`;
    const smtpUrl = `smtp://mailer:${secrets.smtpPassword}@127.0.0.1:2525`;
    await db`UPDATE tenants SET settings = jsonb_set(settings, '{smtp}', ${db.json({ url: smtpUrl })}) WHERE id = ${up.tenant}`;
    expect(await rawRows()).toContain(secrets.totp[0]);
    expect(await rawRows()).toContain(secrets.smtpPassword);
    // Plaintext still reads (the window between an upgrade and its first start).
    expect(await getTotpSecret(db, up.tenant, totpUsers[0]!.user.id)).toBe(secrets.totp[0]);

    const res = await cli(['status', '--tenant', up.tenant, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/Sealed \d+ stored secrets that were in plaintext \(data key "codec\.test1"\)/);
    const rows = JSON.parse(res.stdout) as { place: string; key: string | null; state: string; values: number }[];
    expect(rows.filter((r) => r.state !== 'current')).toEqual([]);
    expect(new Set(rows.map((r) => r.place))).toEqual(new Set([
      'signing_keys.private_jwk', 'saml_credentials.private_key_pem', 'totp_credentials.secret',
      'oidc_clients.metadata.client_secret', 'tenants.settings.smtp.url',
    ]));
    expect(rows.find((r) => r.place === 'signing_keys.private_jwk')!.values).toBe(jwks.keys.length);
    await expectNoSecretInTables();
    expect((await status(down)).map((r) => [r.place, r.state])).toEqual([['identity_providers.config.clientSecret', 'current']]);
    expect(await totpLogin()).toBe('succeeded');
    expect(await federatedLogin()).toBe('succeeded');
  });

  it('rotates to a new data key with the CLI; everything still opens under the new key list', async () => {
    for (const tenant of [up.tenant, down]) {
      const res = await cli(['rotate', '--tenant', tenant, '--json'], ROTATED);
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as { place: string; resealed: number; key: string }[];
      expect(report.every((r) => r.key === 'new2')).toBe(true);
      expect(report.reduce((n, r) => n + r.resealed, 0)).toBeGreaterThan(0);
      const after = await status(tenant, ROTATED);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((r) => r.key === 'new2' && r.state === 'current'), JSON.stringify(after)).toBe(true);
    }
    // A second rotation has nothing left to do.
    const again = JSON.parse((await cli(['rotate', '--tenant', up.tenant, '--json'], ROTATED)).stdout) as { resealed: number }[];
    expect(again.every((r) => r.resealed === 0)).toBe(true);
    await expectNoSecretInTables();
    // Each rotation is an admin action in the tenant's audit log, naming who ran it; without
    // --tenant, in every tenant.
    const rotations = async (tenant: string) => (await listAudit(db, tenant, 500)).filter((e) => e.type === 'admin.data-keys.rotate');
    expect((await rotations(up.tenant)).map((e) => e.data)).toEqual([
      { key: 'new2', scope: 'tenant', resealed: 0, failed: 0 }, { key: 'new2', scope: 'tenant', resealed: expect.any(Number), failed: 0 },
    ]);
    for (const e of await rotations(up.tenant)) expect(e.actor).toMatch(/^cli:/);
    expect((await rotations(down)).map((e) => e.data?.resealed)).toEqual([expect.any(Number)]);
    // (Other tests' rows in this database may hold values that open under no key: a partial
    // rotation is recorded too, with its count of failures.)
    const all = await cli(['rotate', '--json'], ROTATED);
    const [latest] = await rotations(up.tenant);
    expect(latest).toMatchObject({ actor: expect.stringMatching(/^cli:/), data: { key: 'new2', scope: 'all' } });
    expect(all.code, all.stderr).toBe(latest!.data!.failed ? 1 : 0);
    expect((await rotations(down))[0]!.data).toEqual(latest!.data);
    installDataKeyring(dataKeyringFrom(ROTATED, parseCodecKeys(TEST_CODEC_KEYS)));
    expect(await getTotpSecret(db, up.tenant, totpUsers[0]!.user.id)).toBe(secrets.totp[0]);
    expect(await totpLogin()).toBe('succeeded');
    expect(await federatedLogin()).toBe('succeeded');
    expect((await fetch(`${stack.url}/t/${up.tenant}/saml/metadata`)).status).toBe(200);
  });

  it('names the missing key id, and nothing of the secret, when a key is gone', async () => {
    installDataKeyring(testKeyring());
    const err = await getTotpSecret(db, up.tenant, totpUsers[0]!.user.id).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(SealedValueError);
    expect((err as Error).message).toMatch(/totp_credentials\.secret .* sealed with data key "new2", which this process does not have/);
    for (const text of secretTexts()) expect((err as Error).message).not.toContain(text);

    const logged: string[] = [];
    const spy = vi.spyOn(logger, 'error').mockImplementation(((...args: unknown[]) => { logged.push(args.join(' ')); }) as never);
    try {
      const res = await fetch(`${stack.url}/t/${up.tenant}/saml/metadata`);
      expect(res.status).toBe(500);
      const body = await res.text();
      for (const text of secretTexts()) expect(body).not.toContain(text);
    } finally {
      spy.mockRestore();
    }
    expect(logged.join('\n')).toMatch(/saml_credentials\.private_key_pem .* data key "new2"/);
    for (const text of secretTexts()) expect(logged.join('\n')).not.toContain(text);
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);

    const refused = await cli(['status', '--tenant', up.tenant]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n').at(-1)).toMatch(/^tessera: stored secrets are sealed with data keys this process does not have: "new2" \(\d+\)$/);
    const rotate = await cli(['rotate', '--tenant', up.tenant]);
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toMatch(/"new2" \(\d+\), or they do not open with them; those were left as they are/);
    for (const text of secretTexts()) expect(refused.stderr + refused.stdout + rotate.stderr + rotate.stdout).not.toContain(text);
    expect((await status(up.tenant, ROTATED)).every((r) => r.key === 'new2')).toBe(true);

    // A server or worker starting says so too.
    const lines: string[] = [];
    await sealSecretsAtStartup(db, testKeyring(), { warnMissingKeys: true }, (line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/stored secrets are sealed with data keys this process does not have: "new2" \(\d+\)/);

    // Back to the test key: rotating with it first re-seals everything under it.
    for (const tenant of [up.tenant, down]) expect((await cli(['rotate', '--tenant', tenant], `${TEST_DATA_KEYS},${NEW_KEY}`)).code).toBe(0);
    expect((await status(up.tenant)).every((r) => r.key === 'codec.test1' && r.state === 'current')).toBe(true);
    expect(await getTotpSecret(db, up.tenant, totpUsers[0]!.user.id)).toBe(secrets.totp[0]);
  });

  it('moves from keys derived from the codec keys to TESSERA_DATA_KEYS', async () => {
    // Everything sealed as a deployment with codec key "prod" and no TESSERA_DATA_KEYS does it.
    const prodCodec = `prod:${randomBytes(32).toString('base64')}`;
    const derivedFirst = new DataKeyring([...deriveDataKeys(parseCodecKeys(prodCodec)), ...parseDataKeys(TEST_DATA_KEYS)]);
    await resealSecrets(db, derivedFirst, { tenant: up.tenant });
    const prodEnv = { ...env, TESSERA_CODEC_KEYS: prodCodec };
    const before = await runTessera(['data-keys', 'status', '--tenant', up.tenant, '--json'], { ...prodEnv, TESSERA_DATA_KEYS: undefined });
    expect(before.code, before.stderr).toBe(0);
    const rows = JSON.parse(before.stdout) as { key: string; state: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.key === 'codec.prod' && r.state === 'current'), before.stdout).toBe(true);
    // Set TESSERA_DATA_KEYS: the derived keys still open, `rotate` moves everything to the new key.
    const moved = await runTessera(['data-keys', 'rotate', '--tenant', up.tenant], { ...prodEnv, TESSERA_DATA_KEYS: NEW_KEY });
    expect(moved.code, moved.stderr).toBe(0);
    expect((await status(up.tenant, NEW_KEY)).every((r) => r.key === 'new2' && r.state === 'current')).toBe(true);
    installDataKeyring(dataKeyringFrom(NEW_KEY, []));
    expect(await totpLogin()).toBe('succeeded');
  });
});
