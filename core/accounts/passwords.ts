// Password hashing: argon2id with OWASP's minimum parameters (m = 19 MiB, t = 2, p = 1), at most
// one hash per core at a time. Unknown accounts are checked against a dummy hash so that a wrong
// username costs the same time as a wrong password.
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { Semaphore } from '../infra/semaphore.ts';

// 2 = Algorithm.Argon2id (an ambient const enum, which type stripping cannot read).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

const gate = new Semaphore(availableParallelism());
let dummy: Promise<string> | undefined;

/** A reason the password is refused, or undefined when it meets the policy. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `password must have at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `password must have at most ${PASSWORD_MAX} characters`;
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return gate.run(() => hash(password, OPTIONS));
}

/** Verifies against `stored`, or against a dummy hash when there is none; never throws for bad hashes. */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  const target = stored ?? (await (dummy ??= hashPassword('tessera-dummy-password')));
  const ok = await gate.run(() => verify(target, password).catch(() => false));
  return stored !== undefined && ok;
}
