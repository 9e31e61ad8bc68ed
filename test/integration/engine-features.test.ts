// Engine features over HTTP: inner trees, remembered nodes (session and device), choices.
import { describe, expect, it } from 'vitest';
import { saveTree } from '../../core/journeys/trees.ts';
import { getSession } from '../../core/accounts/sessions.ts';
import { newTotpSecret, saveTotpSecret, totpCode } from '../../core/accounts/totp.ts';
import type { Tree } from '../../core/journeys/tree-types.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { tenantWithUser } from '../support/harness.ts';
import { useStack } from '../support/stack.ts';

const stack = useStack();
const { db, config } = stack;

const withInner = (inner: string): Tree => ({
  name: 'step', start: 'identify', acr: 'urn:test:step',
  nodes: {
    identify: { type: 'username', next: { ok: 'password' } },
    password: { type: 'password', next: { ok: 'second', bad: 'password' } },
    second: { type: 'tree', config: { tree: inner }, next: { success: 'success', failure: 'failure' } },
  },
});

const otpTree = (remember?: Tree['nodes'][string]['remember']): Tree => ({
  name: 'login', start: 'identify',
  nodes: {
    identify: { type: 'username', next: { ok: 'password' } },
    password: { type: 'password', next: { ok: 'otp', bad: 'password' } },
    otp: { type: 'totp', ...(remember ? { remember } : {}), next: { ok: 'success', bad: 'otp', skip: 'failure' } },
  },
});

async function userWithTotp() {
  const made = await tenantWithUser(db);
  const secret = newTotpSecret();
  await saveTotpSecret(db, made.tenant, made.user.id, secret, 0);
  return { ...made, secret };
}

async function toSecondStep(api: JourneyApi, login: string, password: string, tree?: string) {
  expect((await api.start('login', tree)).status).toBe(201);
  await api.submit({ username: login });
  return api.submit({ password });
}

describe('inner trees', () => {
  it('runs the inner tree with prefixed step ids and finishes on the version snapshotted at start', async () => {
    const { tenant, login, password, secret } = await userWithTotp();
    await saveTree(db, tenant, withInner('mfa'));
    const api = new JourneyApi(stack.url, tenant);
    const atOtp = await toSecondStep(api, login, password, 'step');
    expect(atOtp.body.step).toMatchObject({ id: 'second/otp#1', node: 'second/otp' });
    // Editing the inner tree now does not affect this journey.
    await saveTree(db, tenant, { name: 'mfa', start: 'otp', nodes: { otp: { type: 'totp', next: { ok: 'failure', bad: 'failure', skip: 'failure' } } } });
    const done = await api.submit({ code: totpCode(secret) });
    expect(done.body.status).toBe('succeeded');
    const session = await getSession(db, tenant, api.cookies.get('tessera_session')!);
    expect(session).toMatchObject({ acr: 'urn:test:step', amr: ['pwd', 'otp', 'mfa'] });
  });

  it('fails a journey whose trees run each other, instead of looping', async () => {
    const { tenant } = await tenantWithUser(db);
    await saveTree(db, tenant, { name: 'ping', start: 'n', nodes: { n: { type: 'tree', config: { tree: 'pong' }, next: { success: 'success', failure: 'failure' } } } });
    await saveTree(db, tenant, { name: 'pong', start: 'n', nodes: { n: { type: 'tree', config: { tree: 'ping' }, next: { success: 'success', failure: 'failure' } } } });
    const res = await new JourneyApi(stack.url, tenant).start('login', 'ping');
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'internal_error' } });
  });
});

describe('remembered nodes', () => {
  it('skips a node remembered on this device, and only on this device', async () => {
    const { tenant, login, password, secret } = await userWithTotp();
    await saveTree(db, tenant, otpTree({ in: 'cookie', for: '1h' }));
    const device = new JourneyApi(stack.url, tenant);
    await toSecondStep(device, login, password);
    expect((await device.submit({ code: totpCode(secret) })).body.status).toBe('succeeded');

    device.cookies.delete('tessera_session');
    const again = await toSecondStep(device, login, password);
    expect(again.body.status).toBe('succeeded');
    const session = await getSession(db, tenant, device.cookies.get('tessera_session')!);
    expect(session?.amr).toEqual(['pwd', 'otp', 'mfa']);

    const otherDevice = await toSecondStep(new JourneyApi(stack.url, tenant), login, password);
    expect(otherDevice.body.step.id).toBe('otp#1');
  });

  it('skips a node remembered in the SSO session, rotating the session id', async () => {
    const { tenant, login, password, secret } = await userWithTotp();
    await saveTree(db, tenant, otpTree({ in: 'session', for: '1h' }));
    const browser = new JourneyApi(stack.url, tenant);
    await toSecondStep(browser, login, password);
    await browser.submit({ code: totpCode(secret) });
    const first = browser.cookies.get('tessera_session')!;

    const again = await toSecondStep(browser, login, password);
    expect(again.body.status).toBe('succeeded');
    const second = browser.cookies.get('tessera_session')!;
    expect(second).not.toBe(first);
    expect(await getSession(db, tenant, first)).toBeUndefined();
    expect((await getSession(db, tenant, second))?.ssoId).toBeDefined();

    browser.cookies.delete('tessera_session');
    const signedOut = await toSecondStep(browser, login, password);
    expect(signedOut.body.step.id).toBe('otp#1');
  });

  it('does not remember a failed node', async () => {
    const { tenant, login, password, secret } = await userWithTotp();
    await saveTree(db, tenant, otpTree({ in: 'cookie', for: '1h' }));
    const device = new JourneyApi(stack.url, tenant);
    await toSecondStep(device, login, password);
    const wrong = await device.submit({ code: totpCode(secret) === '123456' ? '654321' : '123456' });
    expect(wrong.body.step.id).toBe('otp#2');
    const again = await toSecondStep(new JourneyApi(stack.url, tenant), login, password);
    expect(again.body.step.id).toBe('otp#1');
  });
});

describe('choice', () => {
  it('routes by the option picked and refuses options not offered', async () => {
    const { tenant, login, password } = await tenantWithUser(db);
    await saveTree(db, tenant, {
      name: 'pick', start: 'how',
      nodes: {
        how: { type: 'choice', config: { options: [{ value: 'password', label: 'Password' }, { value: 'nope', label: 'Give up' }] }, next: { password: 'identify', nope: 'failure' } },
        identify: { type: 'username', next: { ok: 'password' } },
        password: { type: 'password', next: { ok: 'success', bad: 'password' } },
      },
    });
    const api = new JourneyApi(stack.url, tenant);
    const first = await api.start('login', 'pick');
    expect(first.body.step).toMatchObject({ type: 'choice', choices: [{ value: 'password' }, { value: 'nope' }] });
    expect((await api.submit({ choice: 'admin' })).status).toBe(400);
    await api.submit({ choice: 'password' });
    await api.submit({ username: login });
    expect((await api.submit({ password })).body.status).toBe('succeeded');
  });
});
