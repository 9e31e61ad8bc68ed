// The signup module with its database functions mocked: it runs only in a journey whose kind may
// sign people up (a registration), whatever tree it sits in — in a login, recovery or account
// journey it refuses before reading or writing anything, even with registration enabled; and it
// refuses while registration is off.
import { ApplicationFailure } from '@temporalio/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModuleCallOf, ModuleDeps } from '../../activities/modules/module.ts';
import type { JourneyContext } from '../../core/journeys/journey-context.ts';
import type { JourneyKind } from '../../core/journeys/journey-types.ts';
import { DEFAULT_REGISTRATION } from '../../core/registration/registration-settings.ts';

vi.mock('../../core/registration/registration-settings.ts', async (actual) => ({
  ...(await actual<typeof import('../../core/registration/registration-settings.ts')>()),
  getRegistrationSettings: vi.fn(),
}));
vi.mock('../../core/registration/signup.ts', async (actual) => ({
  ...(await actual<typeof import('../../core/registration/signup.ts')>()),
  createPendingAccount: vi.fn(async () => ({ created: true, userId: '00000000-0000-4000-8000-000000000003' })),
  activateInvited: vi.fn(async () => undefined),
}));
vi.mock('../../core/accounts/profile.ts', async (actual) => ({
  ...(await actual<typeof import('../../core/accounts/profile.ts')>()),
  getRequiredAttributes: vi.fn(async () => []),
}));
vi.mock('../../core/accounts/terms.ts', () => ({ currentTerms: vi.fn(async () => undefined), recordAcceptance: vi.fn() }));

const { getRegistrationSettings } = await import('../../core/registration/registration-settings.ts');
const { createPendingAccount } = await import('../../core/registration/signup.ts');
const { signupModule } = await import('../../activities/modules/signup.ts');

const start = vi.fn(async () => undefined);
const audit = vi.fn(async () => undefined);
const deps = { db: {}, mail: {}, config: { taskQueue: 'q' }, now: () => new Date(), audit, temporal: { workflow: { start } } } as unknown as ModuleDeps;
const values = { email: 'eve@acme.example', name: 'Eve', password: 'violet staple orbit 42', invitation: '' };

function call(kind: JourneyKind, over: Partial<JourneyContext> = {}): ModuleCallOf<{ password: boolean }> {
  return {
    ctx: { journeyId: 'journey-3', tenant: 'acme', kind, request: { ip: '192.0.2.1' }, amr: [], outcomes: [], nodeState: {}, ...over },
    node: 'signup', tree: 'join', type: 'signup', config: { password: true }, attempt: 1,
  };
}

async function failureOf(run: () => Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('did not fail');
}

beforeEach(() => {
  vi.mocked(getRegistrationSettings).mockReset().mockResolvedValue({ ...DEFAULT_REGISTRATION, enabled: true });
  vi.mocked(createPendingAccount).mockClear();
  start.mockClear();
});

describe('signup outside a registration journey', () => {
  it.each(['login', 'recovery', 'account'] as const)('refuses in a journey of kind %s, even with registration enabled, showing no form and creating nothing', async (kind) => {
    for (const run of [() => signupModule.prepare(call(kind), deps), () => signupModule.verify!(call(kind), values, deps)]) {
      const failure = await failureOf(run);
      expect(failure).toMatchObject({ type: 'TreeNotAllowed', nonRetryable: true });
    }
    expect(getRegistrationSettings).not.toHaveBeenCalled();
    expect(createPendingAccount).not.toHaveBeenCalled();
    expect(start).not.toHaveBeenCalled();
  });
});

describe('signup in a registration journey', () => {
  it('shows the form and creates the pending account', async () => {
    expect(await signupModule.prepare(call('registration'), deps)).toMatchObject({ kind: 'step', step: { title: 'Create your account' } });
    expect(await signupModule.verify!(call('registration'), values, deps)).toMatchObject({ outcome: 'pending' });
    expect(createPendingAccount).toHaveBeenCalledTimes(1);
  });

  it('refuses while registration is off', async () => {
    vi.mocked(getRegistrationSettings).mockResolvedValue({ ...DEFAULT_REGISTRATION, enabled: false });
    expect(await failureOf(() => signupModule.prepare(call('registration'), deps))).toMatchObject({ type: 'RegistrationDisabled' });
    expect(await failureOf(() => signupModule.verify!(call('registration'), values, deps))).toMatchObject({ type: 'RegistrationDisabled' });
    expect(createPendingAccount).not.toHaveBeenCalled();
  });
});
