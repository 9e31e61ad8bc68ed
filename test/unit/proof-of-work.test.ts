// The proof of work behind the captcha module: challenge format, verification rules (right,
// wrong, expired, malformed, tampered, foreign), the browser's solver agreeing with the server,
// and the module's single-use challenges.
import { describe, expect, it } from 'vitest';
import { leadingZeroBits, newChallenge, powHash, solveChallenge, verifySolution, type PowChallenge } from '../../core/journeys/proof-of-work.ts';
import { captchaModule } from '../../activities/modules/captcha.ts';
import type { ModuleDeps } from '../../activities/modules/module.ts';
import type { JourneyContext } from '../../core/journeys/journey-context.ts';
// @ts-expect-error: the login UI is plain JavaScript without type declarations
import { searchPow } from '../../ui/login/assets/pow-sha256.js';

const NOW = 1_800_000_000_000;

function unsolved(challenge: PowChallenge): string {
  for (let n = 0; ; n++) if (verifySolution(challenge, String(n), NOW) === 'wrong') return String(n);
}

describe('proof of work', () => {
  it('issues 128-bit random salts with the difficulty and an expiry', () => {
    const a = newChallenge(12, NOW);
    const b = newChallenge(12, NOW);
    expect(a).toEqual({ algorithm: 'sha256', salt: expect.stringMatching(/^[0-9a-f]{32}$/), difficulty: 12, expires: NOW + 300_000 });
    expect(b.salt).not.toBe(a.salt);
    expect(() => newChallenge(7, NOW)).toThrow(RangeError);
    expect(() => newChallenge(25, NOW)).toThrow(RangeError);
  });

  it('counts leading zero bits', () => {
    expect(leadingZeroBits(Uint8Array.of(0, 0, 0x80))).toBe(16);
    expect(leadingZeroBits(Uint8Array.of(0x01))).toBe(7);
    expect(leadingZeroBits(Uint8Array.of(0xff))).toBe(0);
    expect(leadingZeroBits(Uint8Array.of(0, 0))).toBe(16);
  });

  it('accepts a solution with enough zero bits, and refuses a wrong one', () => {
    const challenge = newChallenge(12, NOW);
    const solution = solveChallenge(challenge);
    expect(leadingZeroBits(powHash(challenge.salt, solution))).toBeGreaterThanOrEqual(12);
    expect(verifySolution(challenge, solution, NOW)).toBe('ok');
    expect(verifySolution(challenge, unsolved(challenge), NOW)).toBe('wrong');
  });

  it('binds a solution to its salt and difficulty', () => {
    const challenge = newChallenge(16, NOW);
    const easy = { ...challenge, difficulty: 8 };
    const cheap = solveChallenge(easy);
    expect(verifySolution(easy, cheap, NOW)).toBe('ok');
    if (leadingZeroBits(powHash(challenge.salt, cheap)) < 16) expect(verifySolution(challenge, cheap, NOW)).toBe('wrong');
    const other = newChallenge(12, NOW);
    const forOther = solveChallenge(other);
    if (leadingZeroBits(powHash(challenge.salt, forOther)) < 16) expect(verifySolution(challenge, forOther, NOW)).toBe('wrong');
  });

  it('refuses an expired challenge even with a right solution', () => {
    const challenge = newChallenge(8, NOW, 60_000);
    const solution = solveChallenge(challenge);
    expect(verifySolution(challenge, solution, NOW + 60_000)).toBe('ok');
    expect(verifySolution(challenge, solution, NOW + 60_001)).toBe('expired');
  });

  it('refuses malformed solutions and tampered or missing challenges', () => {
    const challenge = newChallenge(8, NOW);
    const solution = solveChallenge(challenge);
    for (const bad of ['', ' 1', '1 ', '-1', 'x'.repeat(5), '1'.repeat(33), '１２', undefined, 42, null]) {
      expect(verifySolution(challenge, bad, NOW)).toBe('malformed');
    }
    expect(verifySolution(undefined, solution, NOW)).toBe('malformed');
    expect(verifySolution({ ...challenge, difficulty: 0 }, solution, NOW)).toBe('malformed');
    expect(verifySolution({ ...challenge, algorithm: 'md5' }, solution, NOW)).toBe('malformed');
    expect(verifySolution({ ...challenge, salt: 'short' }, solution, NOW)).toBe('malformed');
  });

  it('agrees with the solver the browser runs (ui/login/assets/pow-sha256.js)', () => {
    for (const difficulty of [8, 10, 12, 14]) {
      const challenge = newChallenge(difficulty, NOW);
      const fromBrowser = searchPow(challenge.salt, difficulty, 0, 1 << 20);
      expect(fromBrowser).toBe(solveChallenge(challenge));
      expect(verifySolution(challenge, fromBrowser, NOW)).toBe('ok');
    }
  });
});

describe('captcha module', () => {
  const deps = { now: () => new Date(NOW) } as ModuleDeps;
  const ctx = (nodeState: Record<string, unknown> = {}): JourneyContext => ({
    journeyId: 'j', tenant: 't', kind: 'login', request: {}, amr: [], outcomes: [], nodeState,
  });
  const call = (nodeState?: Record<string, unknown>) => ({ ctx: ctx(nodeState), node: 'check', tree: 'login', type: 'captcha', config: { difficulty: 10 }, attempt: 1 });

  it('shows a hidden-field step with the challenge, kept only in the journey', async () => {
    const prepared = await captchaModule.prepare(call(), deps);
    expect(prepared.kind).toBe('step');
    if (prepared.kind !== 'step') return;
    const challenge = prepared.patch!.nodeState as PowChallenge;
    expect(prepared.step.fields).toEqual([expect.objectContaining({ name: 'solution', type: 'hidden', required: true })]);
    expect(prepared.step.options).toEqual({ pow: { algorithm: 'sha256', salt: challenge.salt, difficulty: 10, expires: challenge.expires, field: 'solution' } });
  });

  it('accepts a solution once: the challenge is cleared by verify, so a reused one fails', async () => {
    const prepared = await captchaModule.prepare(call(), deps);
    const challenge = prepared.patch!.nodeState as PowChallenge;
    const solution = solveChallenge(challenge);
    const ok = await captchaModule.verify!(call({ check: challenge }), { solution }, deps);
    expect(ok).toEqual({ outcome: 'ok', patch: { nodeState: null } });
    const reused = await captchaModule.verify!(call({}), { solution }, deps);
    expect(reused).toMatchObject({ outcome: 'bad', errors: [{ code: 'captcha_failed' }] });
    const next = (await captchaModule.prepare(call(), deps)).patch!.nodeState as PowChallenge;
    if (verifySolution(next, solution, NOW) !== 'ok') {
      expect((await captchaModule.verify!(call({ check: next }), { solution }, deps)).outcome).toBe('bad');
    }
  });

  it('refuses a wrong or late solution, and clears the challenge either way', async () => {
    const challenge = (await captchaModule.prepare(call(), deps)).patch!.nodeState as PowChallenge;
    const wrong = await captchaModule.verify!(call({ check: challenge }), { solution: unsolved(challenge) }, deps);
    expect(wrong).toMatchObject({ outcome: 'bad', patch: { nodeState: null } });
    const late = { now: () => new Date(challenge.expires + 1) } as ModuleDeps;
    expect((await captchaModule.verify!(call({ check: challenge }), { solution: solveChallenge(challenge) }, late)).outcome).toBe('bad');
  });

  it('accepts difficulties 8 to 24 only', () => {
    expect(captchaModule.config.safeParse({}).data).toEqual({ difficulty: 18 });
    for (const difficulty of [7, 25, 12.5, '12']) expect(captchaModule.config.safeParse({ difficulty }).success).toBe(false);
  });
});
