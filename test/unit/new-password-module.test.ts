// The new-password module with its database functions mocked (the password policy is the real
// one): who may reach it, the retry on mismatched or weak passwords, and what a reset does.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModuleCallOf, ModuleDeps } from '../../activities/modules/module.ts';
import type { JourneyContext } from '../../core/journeys/journey-context.ts';
import { DEFAULT_REGISTRATION } from '../../core/registration/registration-settings.ts';

vi.mock('../../core/accounts/users.ts', () => ({ getUser: vi.fn(), setPassword: vi.fn(async () => ({ sessionsRevoked: 2 })) }));
vi.mock('../../core/accounts/throttle.ts', () => ({ resetThrottle: vi.fn(async () => undefined) }));
vi.mock('../../core/registration/registration-settings.ts', async (actual) => ({
  ...(await actual<typeof import('../../core/registration/registration-settings.ts')>()),
  getRegistrationSettings: vi.fn(),
}));

const { getUser, setPassword } = await import('../../core/accounts/users.ts');
const { resetThrottle } = await import('../../core/accounts/throttle.ts');
const { getRegistrationSettings } = await import('../../core/registration/registration-settings.ts');
const { newPasswordModule } = await import('../../activities/modules/new-password.ts');

const USER_ID = '00000000-0000-4000-8000-000000000002';
const alice = { id: USER_ID, tenant: 'acme', username: 'alice', email: 'alice.smith@acme.example', name: null, status: 'active' };
const audit = vi.fn(async () => undefined);
const deps = { db: {}, mail: {}, config: {}, now: () => new Date(), audit } as unknown as ModuleDeps;
const GOOD = 'correct horse battery staple';

function call(over: Partial<JourneyContext> = {}): ModuleCallOf<Record<string, never>> {
  return {
    ctx: {
      journeyId: 'journey-2', tenant: 'acme', kind: 'recovery', request: { ip: '192.0.2.1' }, login: 'alice.smith@acme.example',
      user: { id: USER_ID, username: 'alice', status: 'active' }, amr: ['otp'], outcomes: [], nodeState: {}, ...over,
    },
    node: 'reset', tree: 'recovery', type: 'new-password', config: {}, attempt: 1,
  };
}

beforeEach(() => {
  vi.mocked(getUser).mockReset().mockResolvedValue(alice as never);
  vi.mocked(setPassword).mockClear();
  vi.mocked(resetThrottle).mockClear();
  vi.mocked(getRegistrationSettings).mockReset().mockResolvedValue(DEFAULT_REGISTRATION);
  audit.mockClear();
});

describe('new-password prepare', () => {
  it('asks for the password twice, as new passwords', async () => {
    const result = await newPasswordModule.prepare(call(), deps);
    if (result.kind !== 'step') throw new Error('expected a step');
    expect(result.step).toMatchObject({ type: 'form', title: 'Choose a new password', description: expect.stringContaining('at least 8 characters') });
    expect(result.step.fields).toEqual([
      expect.objectContaining({ name: 'username', type: 'hidden', required: false, value: 'alice.smith@acme.example' }),
      { name: 'password', type: 'password', label: 'New password', required: true, autocomplete: 'new-password', maxLength: 256 },
      { name: 'confirm', type: 'password', label: 'Repeat the new password', required: true, autocomplete: 'new-password', maxLength: 256 },
    ]);
  });

  it('answers none when the journey has no user or has not proven who the user is', async () => {
    for (const over of [{ user: undefined }, { amr: [] }]) {
      expect(await newPasswordModule.prepare(call(over), deps)).toMatchObject({ kind: 'outcome', outcome: 'none', patch: { error: { code: 'reset_not_allowed' } } });
    }
  });

  it('is never remembered, and only none may stay unrouted', () => {
    expect(newPasswordModule.rememberOutcomes).toEqual([]);
    expect(newPasswordModule.optionalOutcomes).toEqual(['none']);
    expect(newPasswordModule.outcomes).toEqual(['ok', 'retry', 'none']);
  });
});

describe('new-password verify', () => {
  it('asks again when the two passwords differ, changing nothing', async () => {
    const verdict = await newPasswordModule.verify!(call(), { password: GOOD, confirm: `${GOOD}!` }, deps);
    expect(verdict).toEqual({ outcome: 'retry', errors: [expect.objectContaining({ field: 'confirm', code: 'password_mismatch' })] });
    expect(setPassword).not.toHaveBeenCalled();
  });

  it('asks again for a breached, short or email-like password, saying why', async () => {
    vi.mocked(getRegistrationSettings).mockResolvedValue({ ...DEFAULT_REGISTRATION, password: { minLength: 12, breachedCheck: true } });
    const cases: [string, RegExp][] = [
      ['password1', /at least 12|breached/],
      ['short-one', /at least 12/],
      ['Qwerty123456', /breached/],
      ['alice.smith@acme.example', /email/],
    ];
    for (const [password, reason] of cases) {
      const verdict = await newPasswordModule.verify!(call(), { password, confirm: password }, deps);
      expect(verdict.outcome).toBe('retry');
      expect(verdict.errors).toEqual([{ field: 'password', code: 'weak_password', message: expect.stringMatching(reason) }]);
    }
    expect(setPassword).not.toHaveBeenCalled();
  });

  it('refuses a breached password under the default policy', async () => {
    const verdict = await newPasswordModule.verify!(call(), { password: 'password1', confirm: 'password1' }, deps);
    expect(verdict.errors?.[0]?.message).toMatch(/breached/);
  });

  it('stores the password, forgets throttle failures and audits the reset without the password', async () => {
    const verdict = await newPasswordModule.verify!(call(), { password: GOOD, confirm: GOOD }, deps);
    expect(verdict).toEqual({ outcome: 'ok' });
    expect(setPassword).toHaveBeenCalledWith({}, 'acme', USER_ID, GOOD);
    expect(resetThrottle).toHaveBeenCalledWith({}, 'acme', USER_ID);
    expect(audit).toHaveBeenCalledWith({
      tenant: 'acme', type: 'password.reset', subject: USER_ID, journeyId: 'journey-2', dedupeKey: 'password-reset:journey-2:reset:1',
      data: { node: 'reset', kind: 'recovery', ip: '192.0.2.1', sessionsRevoked: 2 },
    });
    expect(JSON.stringify(audit.mock.calls)).not.toContain(GOOD);
  });

  it('changes nothing for a journey that has not proven who the user is, or a vanished account', async () => {
    expect(await newPasswordModule.verify!(call({ amr: [] }), { password: GOOD, confirm: GOOD }, deps)).toMatchObject({ outcome: 'none' });
    expect(await newPasswordModule.verify!(call({ user: undefined }), { password: GOOD, confirm: GOOD }, deps)).toMatchObject({ outcome: 'none' });
    vi.mocked(getUser).mockResolvedValue(undefined);
    expect(await newPasswordModule.verify!(call(), { password: GOOD, confirm: GOOD }, deps)).toMatchObject({ outcome: 'none' });
    expect(setPassword).not.toHaveBeenCalled();
    expect(audit).not.toHaveBeenCalled();
  });
});
