// A tenant's password rules for new passwords (signup, reset): length from the tenant's settings
// and, unless turned off, a check against the most common passwords from public breach corpora
// (the ranked list bundled with @zxcvbn-ts/language-common, case-insensitive). Also refuses a
// password that is the user's own email or its local part, the first thing a guesser tries.
import { createRequire } from 'node:module';
import { PASSWORD_MAX } from '../accounts/passwords.ts';
import type { RegistrationSettings } from './registration-settings.ts';

/** How many of the ranked list's entries are refused (all of it: ~49 000). */
export const BREACHED_TOP_N = 50_000;

let breached: Set<string> | undefined;

function breachedList(): Set<string> {
  if (!breached) {
    // Loaded on first use: the list costs a few MB, which only processes that check passwords pay.
    const require = createRequire(import.meta.url);
    const words: string[] = require('@zxcvbn-ts/language-common').dictionary['passwords-common'];
    breached = new Set(words.slice(0, BREACHED_TOP_N).map((w) => w.toLowerCase()));
  }
  return breached;
}

export function isBreachedPassword(password: string): boolean {
  return breachedList().has(password.toLowerCase());
}

/** Why a new password is refused, in words for the user; undefined when it is acceptable. */
export function newPasswordProblem(password: string, rules: RegistrationSettings['password'], email?: string): string | undefined {
  const length = [...password].length;
  if (length < rules.minLength) return `Use at least ${rules.minLength} characters.`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  if (rules.breachedCheck && isBreachedPassword(password)) {
    return 'This password appears in lists of breached passwords. Choose another one.';
  }
  const lower = password.toLowerCase();
  if (email && (lower === email.toLowerCase() || lower === email.toLowerCase().split('@')[0])) {
    return 'Do not use your email address as your password.';
  }
  return undefined;
}
