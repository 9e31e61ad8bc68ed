// The journey state's federation rules: an upstream's callback answers only in the browser the
// journey belongs to (no login CSRF); switching to the upstream's user forgets what was proven
// before; an account offered for linking never signs in until linked; a federated sign-in sent
// to moderation ends with its notice and no session. And a form that offers identity providers
// accepts either its fields or one of its choices.
import { describe, expect, it } from 'vitest';
import { refusal } from '../support/refusal.ts';
import type { JourneyInput, Step } from '../../core/journeys/journey-types.ts';
import { FailureTypes } from '../../core/journeys/journey-types.ts';
import { JourneyState } from '../../workflows/journey-state.ts';
import { checkValues } from '../../workflows/journey-values.ts';

const input: JourneyInput = {
  id: 'j'.repeat(32), tenant: 'acme', kind: 'login', tree: 'login', binding: 'mine', idleTimeoutMs: 1000, request: {},
};
const tree = { name: 'login', start: 'a', nodes: {} };
const redirect = { type: 'redirect' as const, title: 'Continue with Corp', options: { url: 'https://idp.example/authorize' } };
const alice = { id: 'u-alice', username: 'alice', status: 'active' as const };

describe('an upstream callback', () => {
  it('answers only from the browser the journey belongs to, and does not move the journey', () => {
    const s = new JourneyState(input);
    s.show('upstream', redirect, { hash: 'h', expiresAt: 10_000, sameBrowser: true });
    expect(refusal(() => s.validateFollowLink({ tenant: 'acme', hash: 'h', binding: 'attacker' }, 5000))).toBe(FailureTypes.notFound);
    expect(refusal(() => s.validateFollowLink({ tenant: 'acme', hash: 'h', binding: 'mine' }, 5000))).toBeUndefined();
    s.followLink({ tenant: 'acme', hash: 'h', binding: 'mine' });
    expect(s.snapshot().binding).toBe('mine');
    expect(s.takeInput()).toEqual({ '#link': 'h' });
  });
});

describe('federated users', () => {
  it('forget what was proven about the previous user', () => {
    const s = new JourneyState(input);
    s.apply('password', { user: { ...alice, id: 'u-other' }, amr: ['pwd'] });
    s.apply('upstream', { resetAmr: true, user: alice, amr: ['fed'], federated: { idp: 'corp', subject: 's1', linked: true } });
    expect(s.ctx.amr).toEqual(['fed']);
    s.succeed(tree, 1000);
    expect(s.status).toBe('succeeded');
    expect(s.result).toMatchObject({ subject: 'u-alice', amr: ['fed'] });
  });

  it('never sign in an account offered for linking but not linked', () => {
    const s = new JourneyState(input);
    s.apply('upstream', { resetAmr: true, user: alice, federated: { idp: 'corp', subject: 's1', linkTo: 'u-alice' } });
    s.apply('link-password', { amr: ['pwd'] });
    s.succeed(tree, 1000);
    expect(s.status).toBe('failed');
    expect(s.result).toBeUndefined();
  });

  it('sign in an offered account once it is linked', () => {
    const s = new JourneyState(input);
    s.apply('upstream', { resetAmr: true, user: alice, federated: { idp: 'corp', subject: 's1', linkTo: 'u-alice' } });
    s.apply('link', { amr: ['pwd', 'fed'], federated: { idp: 'corp', subject: 's1', linkTo: 'u-alice', linked: true } });
    s.succeed(tree, 1000);
    expect(s.result?.amr).toEqual(['pwd', 'fed', 'mfa']);
  });

  it('sent to moderation end with the notice and no session', () => {
    const s = new JourneyState(input);
    const notice = { code: 'awaiting_approval', message: 'An administrator will review your account.' };
    s.apply('upstream', { federated: { idp: 'corp', subject: 's1', linked: true }, notice });
    s.succeed(tree, 1000);
    expect(s.view()).toMatchObject({ status: 'succeeded', notice });
    expect(s.result).toBeUndefined();
  });

  it('a login journey with a notice but nothing federated still fails', () => {
    const s = new JourneyState(input);
    s.apply('x', { notice: { code: 'n', message: 'm' } });
    s.succeed(tree, 1000);
    expect(s.status).toBe('failed');
  });
});

describe('a form offering choices', () => {
  const step: Step = {
    id: 'identify#1', node: 'identify', type: 'form', title: 'Sign in',
    fields: [{ name: 'username', type: 'text', label: 'Username', required: true }],
    choices: [{ value: 'corp', label: 'Continue with Corp' }],
  };

  it('takes its fields', () => {
    expect(checkValues(step, { username: 'alice' })).toEqual({ ok: true, values: { username: 'alice' } });
  });

  it('or one of its choices, and only an offered one', () => {
    expect(checkValues(step, { choice: 'corp' })).toEqual({ ok: true, values: { choice: 'corp' } });
    expect(checkValues(step, { choice: 'other-tenants-idp' }).ok).toBe(false);
  });

  it('still requires its fields without a choice', () => {
    expect(checkValues(step, {}).ok).toBe(false);
  });
});
