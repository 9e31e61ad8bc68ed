// Trees every new tenant starts with (Keycloak copies its built-in flows the same way). Tenants
// edit them with `tessera trees import`; each import is a new version.
import type { Tree } from './tree-types.ts';

// Brute-force limits of the default login: a captcha after 5 failures in 15 minutes, a 15-minute
// lock after 10 (per account; per address one earlier), for passwords and TOTP codes alike.
const LIMITS = { captchaAfter: 5, lockAfter: 10, window: '15m', lockFor: '15m' };

export const defaultLoginTree: Tree = {
  name: 'login',
  start: 'identify',
  acr: 'urn:tessera:acr:password',
  nodes: {
    identify: { type: 'username', next: { ok: 'guard' } },
    // Enforces an existing lock or earned captcha before the password is even checked.
    guard: { type: 'throttle', config: { ...LIMITS, mode: 'check' }, next: { ok: 'password', captcha: 'captcha', locked: 'failure' } },
    captcha: { type: 'captcha', next: { ok: 'password', bad: 'captcha' } },
    password: { type: 'password', next: { ok: 'status', bad: 'password-failed' } },
    'password-failed': { type: 'throttle', config: LIMITS, next: { retry: 'password', captcha: 'captcha', locked: 'failure' } },
    status: { type: 'account-status', next: { active: 'otp', pending: 'failure', disabled: 'failure' } },
    otp: { type: 'totp', config: { enroll: false }, next: { ok: 'success', bad: 'otp-failed', skip: 'success' } },
    'otp-failed': { type: 'throttle', config: LIMITS, next: { retry: 'otp', captcha: 'otp-captcha', locked: 'failure' } },
    'otp-captcha': { type: 'captcha', next: { ok: 'otp', bad: 'otp-captcha' } },
  },
};

/** Second factors, as an inner tree: `{ "type": "tree", "config": { "tree": "mfa" } }`. */
export const defaultMfaTree: Tree = {
  name: 'mfa',
  start: 'otp',
  acr: 'urn:tessera:acr:mfa',
  nodes: {
    otp: { type: 'totp', config: { enroll: true }, remember: { in: 'cookie', for: '12h' }, next: { ok: 'success', bad: 'otp', skip: 'failure' } },
  },
};

/**
 * Sign in with a passkey alone: no username typed (a discoverable credential names the user), and
 * the authenticator must verify the user (PIN or biometric), so the passkey is two factors.
 */
export const defaultPasswordlessTree: Tree = {
  name: 'passwordless',
  start: 'passkey',
  acr: 'urn:tessera:acr:passkey',
  nodes: {
    passkey: { type: 'webauthn', config: { mode: 'authenticate', usernameless: true, userVerification: 'required' }, next: { ok: 'status', bad: 'passkey' } },
    status: { type: 'account-status', next: { active: 'success', pending: 'failure', disabled: 'failure' } },
  },
};

export const defaultTrees: Tree[] = [defaultLoginTree, defaultMfaTree, defaultPasswordlessTree];
