// The email-link module with its database and mail functions mocked: what it mails, what it keeps,
// how long the journey waits, the same answer for unknown accounts, and which links it accepts.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModuleCallOf, ModuleDeps } from '../../activities/modules/module.ts';
import type { JourneyContext } from '../../core/journeys/journey-context.ts';

vi.mock('../../core/accounts/users.ts', () => ({ getUser: vi.fn() }));
vi.mock('../../core/journeys/link-tokens.ts', async (actual) => ({
  ...(await actual<typeof import('../../core/journeys/link-tokens.ts')>()),
  sendLink: vi.fn(), peekLink: vi.fn(async () => undefined),
}));

const { getUser } = await import('../../core/accounts/users.ts');
const { peekLink, sendLink } = await import('../../core/journeys/link-tokens.ts');
const { emailLinkModule, PREPARE_FLOOR_MS } = await import('../../activities/modules/email-link.ts');

const NOW = new Date('2030-01-01T00:00:00Z');
const LIFETIME = 30 * 60_000;
const USER_ID = '00000000-0000-4000-8000-000000000001';
const deps = { db: {}, mail: {}, config: { publicUrl: 'https://idp.example' }, now: () => NOW, audit: vi.fn() } as unknown as ModuleDeps;

function call(over: Partial<JourneyContext> = {}, attempt = 1): ModuleCallOf<{ lifetime: string }> {
  return {
    ctx: {
      journeyId: 'journey-1', tenant: 'acme', kind: 'recovery', request: {}, login: 'alice@acme.example',
      user: { id: USER_ID, username: 'alice@acme.example', status: 'active' }, amr: [], outcomes: [], nodeState: {}, ...over,
    },
    node: 'link', tree: 'recovery', type: 'email-link', config: { lifetime: '30m' }, attempt,
  };
}

const alice = { id: USER_ID, tenant: 'acme', username: 'alice@acme.example', email: 'alice@acme.example', name: null, status: 'active' };

beforeEach(() => {
  vi.mocked(getUser).mockReset();
  vi.mocked(sendLink).mockReset();
  vi.mocked(peekLink).mockClear();
});

describe('email-link prepare', () => {
  it('mails a recovery link once per visit and waits for it for its lifetime', async () => {
    vi.mocked(getUser).mockResolvedValue(alice as never);
    vi.mocked(sendLink).mockResolvedValue({ sent: true, hash: 'a'.repeat(64), expiresAt: NOW.getTime() + LIFETIME });
    const result = await emailLinkModule.prepare(call(), deps);
    expect(sendLink).toHaveBeenCalledWith({}, {}, 'https://idp.example', {
      tenant: 'acme', purpose: 'recovery', to: 'alice@acme.example', template: 'recovery-link', ttlMs: LIFETIME,
      dedupeKey: 'recovery:journey-1:link:1', userId: USER_ID, workflowId: 'journey-1',
    }, NOW);
    expect(result).toEqual({
      kind: 'step',
      step: { type: 'message', title: 'Check your email', description: expect.stringContaining('If an account exists for alice@acme.example, we have sent a link') },
      patch: { nodeState: { hash: 'a'.repeat(64), expiresAt: NOW.getTime() + LIFETIME } },
      link: { hash: 'a'.repeat(64), expiresAt: NOW.getTime() + LIFETIME },
      waitMs: LIFETIME,
    });
    expect(result.kind === 'step' && result.step.description).toContain('expires in 30 minutes');
  });

  it('keeps the hash and expiry of the link that went out when a retried prepare finds it sent', async () => {
    vi.mocked(getUser).mockResolvedValue(alice as never);
    const firstSend = { sent: false, hash: 'b'.repeat(64), expiresAt: NOW.getTime() + 10 * 60_000 };
    vi.mocked(sendLink).mockResolvedValue(firstSend);
    const result = await emailLinkModule.prepare(call(), deps);
    expect(result).toMatchObject({ link: { hash: firstSend.hash, expiresAt: firstSend.expiresAt }, waitMs: 10 * 60_000 });
  });

  it('uses a new dedupe key on a later visit of the node', async () => {
    vi.mocked(getUser).mockResolvedValue(alice as never);
    vi.mocked(sendLink).mockResolvedValue({ sent: true, hash: 'c'.repeat(64), expiresAt: NOW.getTime() + LIFETIME });
    await emailLinkModule.prepare(call({}, 3), deps);
    expect(vi.mocked(sendLink).mock.calls[0]![3].dedupeKey).toBe('recovery:journey-1:link:3');
  });

  it('does not mail again while the kept link is valid', async () => {
    const kept = { hash: 'd'.repeat(64), expiresAt: NOW.getTime() + 60_000 };
    const result = await emailLinkModule.prepare(call({ nodeState: { link: kept } }), deps);
    expect(sendLink).not.toHaveBeenCalled();
    expect(result).toMatchObject({ link: kept, waitMs: 60_000 });
  });

  it('answers an unknown account and one without email exactly like a known one, without mail', async () => {
    vi.mocked(getUser).mockResolvedValue(alice as never);
    vi.mocked(sendLink).mockResolvedValue({ sent: true, hash: 'e'.repeat(64), expiresAt: NOW.getTime() + LIFETIME });
    const known = await emailLinkModule.prepare(call(), deps);

    vi.mocked(getUser).mockResolvedValue(undefined);
    const unknown = await emailLinkModule.prepare(call({ user: undefined }), deps);
    vi.mocked(getUser).mockResolvedValue({ ...alice, email: null } as never);
    const noEmail = await emailLinkModule.prepare(call(), deps);

    expect(sendLink).toHaveBeenCalledTimes(1);
    // The same lookups on every path: the users table, and link_tokens for the never-sent token.
    expect(getUser).toHaveBeenCalledTimes(3);
    expect(vi.mocked(getUser).mock.calls[1]![2]).toMatch(/^[0-9a-f-]{36}$/);
    expect(peekLink).toHaveBeenCalledTimes(2);
    for (const other of [unknown, noEmail]) {
      if (other.kind !== 'step' || known.kind !== 'step') throw new Error('expected steps');
      expect(other.step).toEqual(known.step);
      expect(other.waitMs).toBe(known.waitMs);
      expect(other.link!.expiresAt).toBe(known.link!.expiresAt);
      expect(other.link!.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    if (unknown.kind !== 'step' || noEmail.kind !== 'step') throw new Error('expected steps');
    expect(unknown.link!.hash).not.toBe(noEmail.link!.hash);
  });

  it('takes at least the floor on both paths', async () => {
    vi.mocked(getUser).mockResolvedValue(undefined);
    let started = performance.now();
    await emailLinkModule.prepare(call({ user: undefined }), deps);
    expect(performance.now() - started).toBeGreaterThanOrEqual(PREPARE_FLOOR_MS - 5);
    vi.mocked(getUser).mockResolvedValue(alice as never);
    vi.mocked(sendLink).mockResolvedValue({ sent: true, hash: 'f'.repeat(64), expiresAt: NOW.getTime() + LIFETIME });
    started = performance.now();
    await emailLinkModule.prepare(call(), deps);
    expect(performance.now() - started).toBeGreaterThanOrEqual(PREPARE_FLOOR_MS - 5);
  });
});

describe('email-link config', () => {
  it('takes a lifetime between 1m and 24h, 30m by default', () => {
    expect(emailLinkModule.config.parse({})).toEqual({ lifetime: '30m' });
    expect(emailLinkModule.config.safeParse({ lifetime: '1m' }).success).toBe(true);
    expect(emailLinkModule.config.safeParse({ lifetime: '24h' }).success).toBe(true);
    expect(emailLinkModule.config.safeParse({ lifetime: '59s' }).success).toBe(false);
    expect(emailLinkModule.config.safeParse({ lifetime: '25h' }).success).toBe(false);
    expect(emailLinkModule.config.safeParse({ lifetime: 'soon' }).success).toBe(false);
    expect(emailLinkModule.config.safeParse({ lifetime: '30m', extra: 1 }).success).toBe(false);
  });

  it('is never remembered', () => {
    expect(emailLinkModule.rememberOutcomes).toEqual([]);
  });
});

describe('email-link verify', () => {
  const state = { hash: '1'.repeat(64), expiresAt: NOW.getTime() + 1000 };

  it('accepts the current link once, with AMR otp, and forgets it', async () => {
    const verdict = await emailLinkModule.verify!(call({ nodeState: { link: state } }), { '#link': state.hash }, deps);
    expect(verdict).toEqual({ outcome: 'ok', patch: { amr: ['otp'], nodeState: null } });
  });

  it('refuses another hash, a missing one, and any link without a known account', async () => {
    for (const [over, values] of [
      [{ nodeState: { link: state } }, { '#link': '2'.repeat(64) }],
      [{ nodeState: { link: state } }, { '#link': '1'.repeat(63) }],
      [{ nodeState: { link: state } }, {}],
      [{ nodeState: {} }, { '#link': state.hash }],
      [{ nodeState: { link: state }, user: undefined }, { '#link': state.hash }],
    ] as const) {
      const verdict = await emailLinkModule.verify!(call(over as Partial<JourneyContext>), values as Record<string, string>, deps);
      expect(verdict).toMatchObject({ outcome: 'bad', errors: [{ code: 'invalid_link' }], patch: { nodeState: null, error: { code: 'invalid_link' } } });
    }
  });

  it('refuses the right link once it has expired', async () => {
    const expired = { ...state, expiresAt: NOW.getTime() };
    const verdict = await emailLinkModule.verify!(call({ nodeState: { link: expired } }), { '#link': state.hash }, deps);
    expect(verdict).toMatchObject({ outcome: 'bad', errors: [{ code: 'link_expired' }], patch: { error: { code: 'link_expired' } } });
  });
});
