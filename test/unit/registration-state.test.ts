// The registration's pure state: which decisions the validators refuse, the resend budget, and the
// one mail summary the query shows for several messages.
import { describe, expect, it } from 'vitest';
import { refusal } from '../support/refusal.ts';
import { backoffMs } from '../../workflows/registration-outbox.ts';
import { MAX_RESENDS, RegistrationRecord, RESEND_INTERVAL_MS } from '../../workflows/registration-state.ts';

const input = (policy: 'invited' | 'verify' | 'moderation') => ({ tenant: 'acme', userId: 'u1', policy });


describe('RegistrationRecord', () => {
  it('takes one decision while awaiting approval and refuses every later one', () => {
    const r = new RegistrationRecord(input('moderation'), 1000);
    expect(r.state).toMatchObject({ status: 'awaiting-approval', requestedAt: 1000, mail: { state: 'none', attempts: 0 } });
    expect(refusal(() => r.validateDecision({ by: 'cli' }))).toBeUndefined();
    expect(refusal(() => r.validateVerify())).toBe('NotAwaitingVerification');
    r.record({ kind: 'approve', decision: { by: 'cli' } });
    expect(refusal(() => r.validateDecision({ by: 'admin:ops' }))).toBe('AlreadyDecided');
    r.record({ kind: 'reject', decision: { by: 'admin:ops' } });
    expect(r.pending).toEqual({ kind: 'approve', decision: { by: 'cli' } });
    expect(r.settled).toBe(false);
    r.settle('active', { by: 'cli' });
    expect(r.settled).toBe(true);
    expect(refusal(() => r.validateDecision({ by: 'admin:ops' }))).toBe('AlreadyDecided');
  });

  it('refuses decisions without a decider or with an overlong reason', () => {
    const r = new RegistrationRecord(input('moderation'), 0);
    expect(refusal(() => r.validateDecision({ by: '' }))).toBe('InvalidDecision');
    expect(refusal(() => r.validateDecision({ by: 'x'.repeat(201) }))).toBe('InvalidDecision');
    expect(refusal(() => r.validateDecision({ by: 'cli', reason: 'r'.repeat(501) }))).toBe('InvalidDecision');
    expect(refusal(() => r.validateDecision({ by: 'cli', reason: 'r'.repeat(500) }))).toBeUndefined();
  });

  it('accepts verifyEmail only for the verify policy while awaiting verification', () => {
    expect(refusal(() => new RegistrationRecord(input('invited'), 0).validateVerify())).toBe('NotAwaitingVerification');
    const r = new RegistrationRecord(input('verify'), 0);
    expect(refusal(() => r.validateDecision({ by: 'cli' }))).toBe('AlreadyDecided');
    expect(refusal(() => r.validateVerify())).toBeUndefined();
    r.record({ kind: 'verify' });
    expect(refusal(() => r.validateVerify())).toBe('NotAwaitingVerification');
  });

  it('grants at most 5 resends, one a minute, and none once decided', () => {
    const r = new RegistrationRecord(input('verify'), 0);
    let now = 0;
    expect(r.nextSend(now)).toBe(1);
    r.requestResend(now + RESEND_INTERVAL_MS - 1);
    expect(r.resendWanted).toBe(false);
    for (let n = 2; n <= MAX_RESENDS + 1; n++) {
      now += RESEND_INTERVAL_MS;
      r.requestResend(now);
      expect(r.resendWanted).toBe(true);
      expect(r.nextSend(now)).toBe(n);
    }
    r.requestResend(now + 10 * RESEND_INTERVAL_MS);
    expect(r.resendWanted).toBe(false);

    const decided = new RegistrationRecord(input('verify'), 0);
    decided.nextSend(0);
    decided.record({ kind: 'verify' });
    decided.requestResend(RESEND_INTERVAL_MS);
    expect(decided.resendWanted).toBe(false);
  });

  it('summarizes several messages: retrying wins, with the latest error and most failures', () => {
    const r = new RegistrationRecord(input('moderation'), 0);
    const a = r.mailQueued();
    const b = r.mailQueued();
    expect(r.state.mail).toEqual({ state: 'sending', attempts: 0 });
    r.mailFailed(a, 'first (451)');
    r.mailFailed(a, 'again (451)');
    r.mailFailed(b, 'other (421)');
    expect(r.state.mail).toEqual({ state: 'retrying', attempts: 2, lastError: 'other (421)' });
    r.mailDone(b);
    expect(r.state.mail).toEqual({ state: 'retrying', attempts: 2, lastError: 'again (451)' });
    r.mailSending(a);
    expect(r.state.mail).toEqual({ state: 'sending', attempts: 2, lastError: 'again (451)' });
    r.mailDone(a);
    expect(r.state.mail).toEqual({ state: 'sent', attempts: 0 });
    // The view is a copy: a caller cannot change the workflow's state through it.
    const view = r.view();
    view.mail.state = 'none';
    expect(r.state.mail.state).toBe('sent');
  });

  it('backs off from 1 minute, doubling, up to 1 hour', () => {
    expect([1, 2, 3, 6, 7, 20].map(backoffMs)).toEqual([60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000]);
  });
});
