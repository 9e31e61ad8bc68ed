// The journey state's mailed-link and notice rules: a followed link answers only the step that
// mailed it, before it expires and once, and moves the journey to the browser that followed it;
// a registration that leaves its account pending succeeds with a notice and no session; no other
// journey ever signs in an account that is not active.
import { describe, expect, it } from 'vitest';
import { refusal } from '../support/refusal.ts';
import type { JourneyInput } from '../../core/journeys/journey-types.ts';
import { FailureTypes } from '../../core/journeys/journey-types.ts';
import { JourneyState } from '../../workflows/journey-state.ts';

const input: JourneyInput = {
  id: 'j'.repeat(32), tenant: 'acme', kind: 'recovery', tree: 'recovery', binding: 'first', idleTimeoutMs: 1000, request: {},
};
const message = { type: 'message' as const, title: 'Check your email' };
const tree = { name: 't', start: 'a', nodes: {} };


describe('followed links', () => {
  const link = { hash: 'h1', expiresAt: 10_000 };

  it('answer the step that mailed them, before expiry, once; and move the journey', () => {
    const s = new JourneyState(input);
    s.show('link', message, link);
    const follow = { tenant: 'acme', hash: 'h1', binding: 'second' };
    expect(refusal(() => s.validateFollowLink({ ...follow, hash: 'h2' }, 5000))).toBe(FailureTypes.linkNotCurrent);
    expect(refusal(() => s.validateFollowLink(follow, 10_000))).toBe(FailureTypes.linkNotCurrent);
    expect(refusal(() => s.validateFollowLink({ ...follow, tenant: 'other' }, 5000))).toBe(FailureTypes.notFound);
    expect(refusal(() => s.validateFollowLink(follow, 5000))).toBeUndefined();
    s.followLink(follow);
    expect(s.takeInput()).toEqual({ '#link': 'h1' });
    expect(refusal(() => s.validateFollowLink(follow, 5000))).toBe(FailureTypes.linkNotCurrent);
    expect(s.snapshot().binding).toBe('second');
    s.show('reset', { type: 'form', title: 'New password', fields: [] });
    const submit = { tenant: 'acme', stepId: 'reset#1', values: {} };
    expect(refusal(() => s.validateSubmit({ ...submit, binding: 'first' }))).toBe(FailureTypes.notFound);
    expect(refusal(() => s.validateSubmit({ ...submit, binding: 'second' }))).toBeUndefined();
  });

  it('do not answer a step without a link, or a later visit of the same node', () => {
    const s = new JourneyState(input);
    s.show('identify', { type: 'form', title: 'Email', fields: [] });
    expect(refusal(() => s.validateFollowLink({ tenant: 'acme', hash: 'h1', binding: 'x' }, 0))).toBe(FailureTypes.linkNotCurrent);
    s.show('link', message, link);
    s.show('link', message, { hash: 'h2', expiresAt: 10_000 });
    expect(refusal(() => s.validateFollowLink({ tenant: 'acme', hash: 'h1', binding: 'x' }, 0))).toBe(FailureTypes.linkNotCurrent);
  });

  it('do not reach a finished journey', () => {
    const s = new JourneyState(input);
    s.show('link', message, link);
    s.expire();
    expect(refusal(() => s.validateFollowLink({ tenant: 'acme', hash: 'h1', binding: 'x' }, 0))).toBe(FailureTypes.finished);
  });
});

describe('notices', () => {
  const registration = { ...input, kind: 'registration' as const };
  const notice = { code: 'verification_sent', message: 'Check your email.' };

  it('end a registration with a pending account as succeeded, without a session', () => {
    const s = new JourneyState(registration);
    s.apply('signup', { user: { id: 'u1', username: 'a@b.c', status: 'pending' }, notice });
    s.succeed(tree, 1);
    expect(s.status).toBe('succeeded');
    expect(s.result).toBeUndefined();
    expect(s.view().notice).toEqual(notice);
  });

  it('end a registration of a taken email the same way', () => {
    const s = new JourneyState(registration);
    s.apply('signup', { user: null, notice });
    s.succeed(tree, 1);
    expect(s.view()).toMatchObject({ status: 'succeeded', notice });
    expect(s.result).toBeUndefined();
  });

  it('sign in an invited (active) account and show no notice', () => {
    const s = new JourneyState(registration);
    s.apply('signup', { user: { id: 'u1', username: 'a@b.c', status: 'active' }, amr: ['pwd'] });
    s.succeed(tree, 1);
    expect(s.result?.subject).toBe('u1');
    expect(s.view().notice).toBeUndefined();
  });

  it('never let a login sign in an account that is not active', () => {
    const s = new JourneyState({ ...input, kind: 'login' });
    s.apply('identify', { user: { id: 'u1', username: 'a', status: 'disabled' }, notice });
    s.succeed(tree, 1);
    expect(s.status).toBe('failed');
    expect(s.result).toBeUndefined();
  });
});
