// Trees every new tenant starts with (Keycloak copies its built-in flows the same way). Tenants
// edit them with `tessera trees import`; each import is a new version.
import type { Tree } from './tree-types.ts';

export const defaultLoginTree: Tree = {
  name: 'login',
  start: 'identify',
  acr: 'urn:tessera:acr:password',
  nodes: {
    identify: { type: 'username', next: { ok: 'password' } },
    password: { type: 'password', next: { ok: 'status', bad: 'password' } },
    status: { type: 'account-status', next: { active: 'otp', pending: 'failure', disabled: 'failure' } },
    otp: { type: 'totp', config: { enroll: false }, next: { ok: 'success', bad: 'otp', skip: 'success' } },
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
