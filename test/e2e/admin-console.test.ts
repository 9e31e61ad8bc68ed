// The admin console in Chromium against the real server, Temporal and database: an admin signs in
// through Tessera's own login (code + PKCE as tessera-admin), approves a pending signup from the
// queue — and the user is signed in by the mailed link; edits a tree and sees the graph mark the
// faulty node as the server validates; opens a failed journey's timeline; and the queue at 360 px.
// Screenshots are saved under test-artifacts/admin-console/ and checked for what they must show.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { setUserStatus } from '../../core/accounts/users.ts';
import { grantRole } from '../../core/admin/roles.ts';
import { getTree, saveTree } from '../../core/journeys/trees.ts';
import { listDevMail } from '../../core/infra/dev-mailbox.ts';
import { awaitingApproval, moderatedTenant } from '../support/admin-api.ts';
import { saveScreenshot, signInToAdminConsole, watchPage } from '../support/browser.ts';
import { tenantWithUser } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { ROOT } from '../support/processes.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack({ browser: true, localhost: true });
const { db } = stack;
const ARTIFACTS = `${ROOT}/test-artifacts/admin-console`;

const shot = (page: Page, name: string) => saveScreenshot(page, ARTIFACTS, name);

/** A moderated tenant with an admin (tenant-admin, password) and one account awaiting approval. */
async function setup() {
  const { tenant } = await moderatedTenant(db);
  const admin = await tenantWithUserIn(tenant);
  await grantRole(db, tenant, admin.user.id, 'tenant-admin');
  const pending = await awaitingApproval(db, stack.server.client, stack.config, tenant, 'Robin Applicant');
  return { tenant, admin, pending };
}

async function tenantWithUserIn(tenant: string) {
  const { createUser } = await import('../../core/accounts/users.ts');
  const password = 'admin-pass-phrase-93';
  const user = await createUser(db, tenant, { email: `admin@${tenant}.example`, password, name: 'Ada Admin' });
  return { user, password, login: `admin@${tenant}.example` };
}

const signIn = (page: Page, tenant: string, login: string, password: string) => signInToAdminConsole(page, stack.url, tenant, login, password);

describe('admin console', () => {
  it('signs in through Tessera, approves a pending signup from the queue, and the mailed link signs the user in', async () => {
    const { tenant, admin, pending } = await setup();
    const page = await (await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    const watch = await watchPage(page);
    await signIn(page, tenant, admin.login, admin.password);
    await page.getByRole('heading', { name: 'Approvals' }).waitFor();
    const card = page.locator('.approval', { hasText: 'Robin Applicant' });
    await card.waitFor();
    expect(await card.textContent()).toContain(pending.user.email!);
    expect(await card.textContent()).toMatch(/Deadline/);
    expect(await page.getByText(admin.login).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Approve selected' }).isVisible()).toBe(false);
    await shot(page, 'approvals-queue');

    await card.getByRole('textbox').fill('Known customer');
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(`${pending.user.email}: approved.`).waitFor();
    await shot(page, 'approvals-approved');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);

    // The user follows the mailed sign-in link in their own browser.
    const deadline = Date.now() + 30_000;
    let link: string | undefined;
    while (!link && Date.now() < deadline) {
      const mail = (await listDevMail(db, { tenant, to: pending.user.email! })).find((m) => /\/ui\/link#token=/.test(m.text) && /ready/i.test(m.subject));
      link = mail ? /\/t\/[^/\s]+\/ui\/link#token=[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0] : undefined;
      if (!link) await new Promise((r) => setTimeout(r, 200));
    }
    expect(link).toBeDefined();
    const user = await (await stack.browser.newContext()).newPage();
    await user.goto(`${stack.url}${link}`);
    await user.getByRole('button', { name: 'Continue' }).click();
    await user.getByRole('heading', { name: /signed in/i }).waitFor();
    expect((await user.context().cookies()).some((c) => c.name === 'tessera_session')).toBe(true);
    await shot(user, 'approved-user-signed-in');
  });

  it('shows each applicant\'s reminder and deadline; bulk-approves two with a shared reason, rejects one with its own, and they leave the queue', async () => {
    const { tenant, admin, pending: robin } = await setup();
    const applicants = [];
    for (const name of ['Ann Bulk', 'Ben Bulk', 'Cy Single']) applicants.push(await awaitingApproval(db, stack.server.client, stack.config, tenant, name));
    const page = await (await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    const watch = await watchPage(page);
    await signIn(page, tenant, admin.login, admin.password);
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    await page.getByText('4 accounts awaiting a decision').waitFor();
    // The reminder is due 2 days after the request, the deadline 7 days after (the defaults).
    for (const { user, approval } of [robin, ...applicants]) {
      const card = page.locator('.approval', { hasText: user.email! });
      const day = 86_400_000;
      expect(await card.locator('.reminder').textContent()).toMatch(/^due in 2 days/);
      expect(await card.locator('.reminder time').getAttribute('datetime')).toBe(new Date(approval.requestedAt.getTime() + 2 * day).toISOString());
      expect(await card.locator('.deadline time').getAttribute('datetime')).toBe(new Date(approval.requestedAt.getTime() + 7 * day).toISOString());
    }

    const [first, second, third] = applicants.map((a) => a.user);
    await page.getByRole('checkbox', { name: `Select ${first!.email}` }).check();
    await page.getByRole('checkbox', { name: `Select ${second!.email}` }).check();
    const bulk = page.getByRole('group', { name: 'Decide the selected accounts' });
    expect(await bulk.textContent()).toContain('2 selected');
    await bulk.getByRole('textbox', { name: 'Reason for the selected accounts' }).fill('Known customers');
    await shot(page, 'approvals-bulk');
    await bulk.getByRole('button', { name: 'Approve selected' }).click();
    await page.getByText(`${first!.email}: approved.`).waitFor();
    await page.getByText(`${second!.email}: approved.`).waitFor();
    expect(await page.locator('.approval').count()).toBe(2);
    expect(await bulk.isVisible()).toBe(false);
    await page.getByText('2 accounts awaiting a decision').waitFor();

    const card = page.locator('.approval', { hasText: third!.email! });
    await card.getByRole('textbox', { name: `Reason for ${third!.email}` }).fill('Not a customer of ours');
    await card.getByRole('button', { name: 'Reject' }).click();
    await page.getByText(`${third!.email}: rejected.`).waitFor();
    await card.waitFor({ state: 'detached' });
    await page.getByText('1 account awaiting a decision').waitFor();
    await shot(page, 'approvals-after-bulk');

    const decisions = await db`SELECT user_id, status, reason FROM approvals WHERE tenant_id = ${tenant} ORDER BY requested_at`;
    expect(decisions.map((d) => [d.user_id, d.status, d.reason])).toEqual([
      [robin.user.id, 'pending', null], [first!.id, 'approved', 'Known customers'], [second!.id, 'approved', 'Known customers'], [third!.id, 'rejected', 'Not a customer of ours'],
    ]);
    // A reload shows the queue without them; the rejected tab shows the reason.
    await page.reload();
    await page.locator('.approval').first().waitFor();
    expect(await page.locator('.approval').allTextContents()).toEqual([expect.stringContaining(robin.user.email!)]);
    await page.getByRole('link', { name: 'rejected' }).click();
    const rejected = page.locator('.approval', { hasText: third!.email! });
    await rejected.waitFor();
    expect(await rejected.textContent()).toContain('Not a customer of ours');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('edits a tree: the graph is drawn, and an error names the node and marks it in the graph', async () => {
    const { tenant, admin } = await setup();
    const page = await (await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    const watch = await watchPage(page);
    await signIn(page, tenant, admin.login, admin.password);
    await page.goto(`${stack.url}/admin/#/t/${tenant}/trees/login`);
    await page.getByRole('heading', { name: 'Tree login' }).waitFor();
    const graph = page.getByRole('group', { name: 'Graph of login' });
    await graph.waitFor();
    expect(await graph.locator('g.node').count()).toBeGreaterThan(8);
    expect(await graph.locator('text.edge-label', { hasText: 'bad' }).count()).toBeGreaterThan(0);
    await shot(page, 'tree-graph');

    const editor = page.getByRole('textbox', { name: 'Tree JSON' });
    const tree = JSON.parse(await editor.inputValue());
    tree.nodes.password.next.bad = 'nowhere';
    await editor.fill(JSON.stringify(tree, null, 2));
    const error = page.locator('.tree-errors li', { hasText: 'password' });
    await error.waitFor();
    expect(await error.textContent()).toMatch(/nowhere/);
    await page.locator('g.node.faulty').first().waitFor();
    expect(await page.locator('g.node.faulty').count()).toBeGreaterThan(0);
    await shot(page, 'tree-invalid');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('expands an inner tree from the keyboard, and compares versions with the journeys in flight on each', async () => {
    const { tenant, admin } = await setup();
    // A journey left open on login v1, then v2 saved: the journey stays on v1.
    const open = new JourneyApi(stack.url, tenant);
    await open.start();
    const login = (await getTree(db, tenant, 'login'))!;
    const { version: _v, ...v1 } = login.tree;
    await saveTree(db, tenant, { ...v1, nodes: { ...v1.nodes, captcha: { ...v1.nodes.captcha!, next: { ok: 'password', bad: 'failure' } } } });

    const page = await (await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    const watch = await watchPage(page);
    await signIn(page, tenant, admin.login, admin.password);
    await page.goto(`${stack.url}/admin/#/t/${tenant}/trees/account-password`);
    const graph = page.getByRole('group', { name: 'Graph of account-password' });
    await graph.waitFor();
    // The nodes are buttons a screen reader reaches inside the named group.
    const proof = graph.getByRole('button', { name: 'proof: tree account-step-up' });
    expect(await proof.getAttribute('aria-expanded')).toBe('false');
    await proof.focus();
    await page.keyboard.press('Enter');
    const inner = page.getByRole('group', { name: 'Graph of account-step-up' });
    await inner.waitFor();
    expect(await inner.getByRole('button').count()).toBeGreaterThan(1);
    expect(await page.getByRole('heading', { name: 'Inner tree account-step-up (from proof)' }).isVisible()).toBe(true);
    expect(await proof.getAttribute('aria-expanded')).toBe('true');
    await shot(page, 'tree-inner-expanded');
    await page.keyboard.press('Enter');
    await inner.waitFor({ state: 'detached' });
    expect(await proof.getAttribute('aria-expanded')).toBe('false');

    await page.goto(`${stack.url}/admin/#/t/${tenant}/trees/login`);
    const versions = page.getByRole('table', { name: 'Versions' });
    const inFlight = (version: number) => versions.locator('tr', { has: page.getByRole('link', { name: `v${version}`, exact: true }) }).locator('td[data-label="In flight"]');
    // Temporal's visibility lists a started journey a moment later.
    await expect.poll(async () => {
      await page.reload();
      await versions.waitFor();
      return [await inFlight(1).textContent(), await inFlight(2).textContent()];
    }, { timeout: 20_000 }).toEqual(['1', '0']);
    await versions.locator('tr', { has: page.getByRole('link', { name: 'v2', exact: true }) }).getByRole('button', { name: 'Diff with previous' }).click();
    const diff = page.locator('.diff', { hasText: 'v1 → v2' });
    await diff.waitFor();
    expect(await diff.textContent()).toContain('captcha');
    expect(await diff.textContent()).toContain('failure');
    await diff.scrollIntoViewIfNeeded();
    await shot(page, 'tree-versions-diff');
    expect(await watch.cspViolations()).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('opens a failed journey\'s timeline, and shows the queue at 360 px', async () => {
    const { tenant, admin } = await setup();
    // A disabled account tries to sign in: the journey fails at the account-status node.
    const { createUser } = await import('../../core/accounts/users.ts');
    const blocked = await createUser(db, tenant, { email: `blocked@${tenant}.example`, password: 'blocked-pass-phrase-1' });
    await setUserStatus(db, tenant, blocked.id, 'disabled');
    const api = new JourneyApi(stack.url, tenant);
    await api.start();
    await api.submit({ username: `blocked@${tenant}.example` });
    await api.submit({ password: 'blocked-pass-phrase-1' });
    const journeyId = api.journey!.id;

    const page = await (await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await signIn(page, tenant, admin.login, admin.password);
    await page.goto(`${stack.url}/admin/#/t/${tenant}/journeys/${journeyId}`);
    const timeline = page.locator('ol.timeline');
    await timeline.waitFor();
    await page.locator('.tl', { hasText: 'status → disabled' }).waitFor();
    expect(await timeline.textContent()).toMatch(/password → ok/);
    expect(await timeline.textContent()).not.toContain('blocked-pass-phrase-1');
    await shot(page, 'journey-timeline');

    const narrow = await (await stack.browser.newContext({ viewport: { width: 360, height: 780 } })).newPage();
    narrow.setDefaultTimeout(20_000);
    await signIn(narrow, tenant, admin.login, admin.password);
    await narrow.getByRole('heading', { name: 'Approvals' }).waitFor();
    const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);
    const menu = narrow.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await narrow.getByRole('link', { name: 'Users' }).isVisible()).toBe(true);
    await shot(narrow, 'approvals-360');
  });
});
