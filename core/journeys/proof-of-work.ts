// Self-hosted proof of work (the captcha module): the server issues a random salt and a
// difficulty; the browser finds a solution such that sha256(salt + ':' + solution) starts with
// `difficulty` zero bits. Checking costs one hash, finding one costs about 2^difficulty.
// Rules: 128-bit random salts; a challenge expires; solutions are short decimal or hex strings
// (bounded work for the verifier); the challenge is kept by the journey and used once (the
// module clears it), so this file only judges one answer against one challenge.
import { createHash, randomBytes } from 'node:crypto';

export interface PowChallenge {
  algorithm: 'sha256';
  /** 128 random bits, hex. */
  salt: string;
  /** Leading zero bits the hash must have. */
  difficulty: number;
  /** Epoch milliseconds after which a solution is refused. */
  expires: number;
}

export type PowVerdict = 'ok' | 'wrong' | 'expired' | 'malformed';

export const MIN_DIFFICULTY = 8;
export const MAX_DIFFICULTY = 24;
export const SOLUTION_MAX = 32;
const SOLUTION = /^[0-9a-f]{1,32}$/;
const SALT = /^[0-9a-f]{32}$/;

export function newChallenge(difficulty: number, now: number, ttlMs = 5 * 60_000): PowChallenge {
  if (!Number.isInteger(difficulty) || difficulty < MIN_DIFFICULTY || difficulty > MAX_DIFFICULTY) {
    throw new RangeError(`difficulty must be an integer from ${MIN_DIFFICULTY} to ${MAX_DIFFICULTY}`);
  }
  return { algorithm: 'sha256', salt: randomBytes(16).toString('hex'), difficulty, expires: now + ttlMs };
}

export function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function powHash(salt: string, solution: string): Buffer {
  return createHash('sha256').update(`${salt}:${solution}`).digest();
}

/** Judges one solution; never throws, whatever the (possibly tampered) challenge looks like. */
export function verifySolution(challenge: unknown, solution: unknown, now: number): PowVerdict {
  const c = challenge as Partial<PowChallenge> | null | undefined;
  if (!c || c.algorithm !== 'sha256' || typeof c.salt !== 'string' || !SALT.test(c.salt)
    || !Number.isInteger(c.difficulty) || c.difficulty! < MIN_DIFFICULTY || c.difficulty! > MAX_DIFFICULTY
    || typeof c.expires !== 'number') return 'malformed';
  if (typeof solution !== 'string' || !SOLUTION.test(solution)) return 'malformed';
  if (now > c.expires) return 'expired';
  return leadingZeroBits(powHash(c.salt, solution)) >= c.difficulty! ? 'ok' : 'wrong';
}

/** Finds a solution the way the browser does (decimal counter); for tests and headless clients. */
export function solveChallenge(challenge: Pick<PowChallenge, 'salt' | 'difficulty'>, start = 0): string {
  for (let n = start; ; n++) {
    const solution = String(n);
    if (leadingZeroBits(powHash(challenge.salt, solution)) >= challenge.difficulty) return solution;
  }
}
