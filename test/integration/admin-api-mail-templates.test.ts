// Mail templates through the management API (/t/{tenant}/api/admin/mail-templates) against the real
// server, Temporal and an SMTP listener: list and get (default, override, placeholders), override
// (used by the next mail sent, values still escaped), reset, preview; unsafe or unknown-placeholder
// overrides refused and nothing stored; 412 on a stale If-Match; roles; `tessera mail-templates`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createAdminToken } from '../../core/accounts/admin-tokens.ts';
import { listAudit } from '../../core/infra/audit.ts';
import { DEFAULT_TEMPLATES, overrideProblem, TEMPLATE_NAMES } from '../../core/infra/mail-templates.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { adminRequest } from '../support/admin-api.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { uniqueTenantId } from '../support/harness.ts';
import { killAll, runTessera } from '../support/processes.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { useStack } from '../support/stack.ts';

vi.setConfig({ testTimeout: 180_000 });

const sink: SmtpSink = await startSmtpSink();
const stack = useStack({ config: { smtpUrl: sink.url }, onClose: () => sink.close() });
const { db } = stack;
afterAll(() => killAll());

async function setup() {
  const tenant = uniqueTenantId('mail');
  await createTenant(db, tenant);
  const [admin, auditor, approver] = await Promise.all([
    createAdminToken(db, tenant, 'ops'), createAdminToken(db, tenant, 'aud', 'auditor'), createAdminToken(db, tenant, 'appr', 'approver'),
  ]);
  const as = (token: string) => (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    adminRequest(stack.url, tenant, token, method, path, body, headers);
  return { tenant, api: as(admin.token), auditor: as(auditor.token), approver: as(approver.token) };
}

const storedMail = async (tenant: string) => (await db`SELECT settings->'mail' AS m FROM tenants WHERE id = ${tenant}`)[0]?.m ?? null;

describe('mail templates', () => {
  it('the defaults pass the checks an override must pass', () => {
    for (const name of TEMPLATE_NAMES) expect(overrideProblem(name, DEFAULT_TEMPLATES[name]), name).toBeUndefined();
  });

  it('lists every template with its default and placeholders, paginated', async () => {
    const { auditor } = await setup();
    const all = await auditor('GET', '/mail-templates');
    expect(all.status).toBe(200);
    expect(all.body.items.map((t: { name: string }) => t.name)).toEqual([...TEMPLATE_NAMES].sort());
    expect(all.body.items.find((t: { name: string }) => t.name === 'invitation')).toEqual({
      name: 'invitation', placeholders: ['tenant', 'inviter', 'link', 'expires'], default: DEFAULT_TEMPLATES.invitation, override: null,
    });
    const first = await auditor('GET', '/mail-templates?limit=4');
    const rest = await auditor('GET', `/mail-templates?limit=200&cursor=${first.body.next}`);
    expect([...first.body.items, ...rest.body.items].map((t: { name: string }) => t.name)).toEqual([...TEMPLATE_NAMES].sort());
    expect((await auditor('GET', '/mail-templates/no-such-template')).status).toBe(404);
  });

  it('overrides a template: the next mail uses it with values escaped; reset goes back to the default; all audited', async () => {
    const { tenant, api } = await setup();
    const before = await api('GET', '/mail-templates/invitation');
    const override = { subject: 'Join {{tenant}} today', html: '<p>Hello! {{inviter}} invites you: <a href="{{link}}">accept</a> ({{expires}})</p>' };
    const set = await api('PUT', '/mail-templates/invitation', override, { 'if-match': before.headers.get('etag')! });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ name: 'invitation', override });
    expect((await api('PUT', '/mail-templates/invitation', { subject: 'Stale' }, { 'if-match': before.headers.get('etag')! })).status).toBe(412);
    expect((await api('GET', '/mail-templates/invitation')).body.override).toEqual(override);

    const to = `guest@${tenant}.example`;
    expect((await api('POST', '/invitations', { email: to })).status).toBe(201);
    const mail = await sink.waitFor((m) => m.to.includes(to), 60_000);
    expect(mail.subject).toBe(`Join ${tenant} today`);
    expect(mail.html).toMatch(/^<p>Hello! .* invites you: <a href="http[^"]+\/ui\/signup#invite=[^"]+">accept<\/a> \(7 days\)<\/p>$/);
    // The part not overridden is the default's.
    expect(mail.text).toContain(`invites you to create an account at ${tenant}:`);

    expect((await api('DELETE', '/mail-templates/invitation')).status).toBe(204);
    expect((await api('GET', '/mail-templates/invitation')).body.override).toBeNull();
    const events = (await listAudit(db, tenant, 50)).filter((e) => e.type.startsWith('admin.mail-templates'));
    expect(events.map((e) => [e.type, e.actor, e.subject, e.data])).toEqual([
      ['admin.mail-templates.reset', 'admin:ops', 'invitation', { hadOverride: true }],
      ['admin.mail-templates.set', 'admin:ops', 'invitation', { parts: ['subject', 'html'] }],
    ]);
  });

  it('refuses overrides that are malformed, use unknown or secret placeholders, or carry active HTML; stores nothing', async () => {
    const { tenant, api } = await setup();
    const refusals: [unknown, RegExp][] = [
      [{}, /at least one/],
      [{ subject: 'x', extra: 'y' }, /extra|Unrecognized/],
      [{ subject: 'x'.repeat(201) }, /subject/],
      [{ subject: 'Your code {{code}}' }, /subject: \{\{code\}\} grants access/],
      [{ text: 'Hi {{password}}' }, /text: \{\{password\}\} is not a placeholder of "login-code"/],
      [{ html: '<script>alert(1)</script>' }, /<script> is not allowed/],
      [{ html: '<img src="x" onerror="alert(1)">' }, /event handler/],
      [{ html: '<a href="javascript:alert(1)">x</a>' }, /javascript:/],
      [{ html: '<a href="  JaVa&#x53;cript:alert(1)">x</a>' }, /javascript:/],
      [{ html: '<a href="{{tenant}}">x</a>' }, /only \{\{link\}\} may start a link/],
      [{ html: '<a href={{code}}>x</a>' }, /must be in quotes/],
      [{ html: '<{{code}}>' }, /does not start a tag/],
      [{ html: '<p title="a>b" data-x="{{code}}">x</p><iframe src="https://x">' }, /<iframe> is not allowed/],
    ];
    for (const [body, message] of refusals) {
      const res = await api('PUT', '/mail-templates/login-code', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await api('PUT', '/mail-templates/nope', { subject: 'x' })).status).toBe(404);
    expect((await api('DELETE', '/mail-templates/nope')).status).toBe(404);
    expect(await storedMail(tenant)).toBeNull();
    expect((await listAudit(db, tenant, 50)).filter((e) => e.type.startsWith('admin.mail-templates'))).toEqual([]);
  });

  it('previews with example values or given ones, escaping them in HTML, changing nothing', async () => {
    const { tenant, api, auditor } = await setup();
    const plain = await auditor('POST', '/mail-templates/registration-rejected/preview');
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    expect(plain.body.subject).toBe(`Your ${tenant} account request`);
    expect(plain.body.text).toContain('We are sorry, Ada Lovelace');
    const given = await auditor('POST', '/mail-templates/registration-rejected/preview', {
      vars: { name: '<b>Mallory</b>' }, html: '<p>No, {{name}}.</p>',
    });
    // Escaped, and (a reason is text people choose) its slash made one no mail client links.
    expect(given.body.html).toBe('<p>No, &lt;b&gt;Mallory&lt;\u2215b&gt;.</p>');
    expect((await auditor('POST', '/mail-templates/login-code/preview', { subject: '{{code}}' })).status).toBe(400);
    expect((await auditor('POST', '/mail-templates/login-code/preview', { vars: { 'Bad-Key': 'x' } })).status).toBe(400);
    expect((await api('POST', '/mail-templates/nope/preview')).status).toBe(404);
    expect(await storedMail(tenant)).toBeNull();
    expect((await listAudit(db, tenant, 50)).filter((e) => e.type.startsWith('admin.mail-templates'))).toEqual([]);
  });

  it('lets an auditor read but not change, refuses an approver, hides the tenant from others', async () => {
    const a = await setup();
    const b = await setup();
    expect((await a.auditor('PUT', '/mail-templates/invitation', { subject: 'x' })).status).toBe(403);
    expect((await a.auditor('DELETE', '/mail-templates/invitation')).status).toBe(403);
    expect((await a.approver('GET', '/mail-templates')).status).toBe(403);
    const intruder = (await createAdminToken(db, b.tenant, 'intruder')).token;
    const other = await adminRequest(stack.url, a.tenant, intruder, 'PUT', '/mail-templates/invitation', { subject: 'x' });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('tenant_not_found');
    expect(await storedMail(a.tenant)).toBeNull();
  });

  it('`tessera mail-templates list|show|set|reset`', async () => {
    const { tenant } = await setup();
    const env = { DATABASE_URL: inject('databaseUrl'), TESSERA_CODEC_KEYS: TEST_CODEC_KEYS, DATA_DIR: inject('scratchDir') };
    const run = (args: string[]) => runTessera(['mail-templates', ...args, '--tenant', tenant], env, 120_000);
    const file = join(inject('scratchDir'), `override-${tenant}.json`);
    await writeFile(file, JSON.stringify({ subject: 'Welcome to {{tenant}}' }));
    const set = await run(['set', 'verify-email', '--file', file, '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'verify-email', override: { subject: 'Welcome to {{tenant}}' } });
    const list = await run(['list']);
    expect(list.stdout).toMatch(/^verify-email\s+subject\s+tenant,name,link,expires$/m);
    expect(JSON.parse((await run(['show', 'verify-email', '--json'])).stdout).override).toEqual({ subject: 'Welcome to {{tenant}}' });
    await writeFile(file, JSON.stringify({ html: '<script>x</script>' }));
    const bad = await run(['set', 'verify-email', '--file', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/<script> is not allowed/);
    expect((await run(['reset', 'verify-email'])).code).toBe(0);
    expect(await storedMail(tenant)).toEqual({});
    expect((await listAudit(db, tenant, 50)).filter((e) => e.type.startsWith('admin.mail-templates')).map((e) => e.actor))
      .toEqual([expect.stringMatching(/^cli/), expect.stringMatching(/^cli/)]);
  });
});
