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
    // The sign-in step also offers the tenant's upstream IdPs (none configured: nothing shown).
    identify: { type: 'username', config: { idps: true }, next: { ok: 'guard', federated: 'upstream' } },
    // Enforces an existing lock or earned captcha before the password is even checked.
    guard: { type: 'throttle', config: { ...LIMITS, mode: 'check' }, next: { ok: 'password', captcha: 'captcha', locked: 'failure' } },
    captcha: { type: 'captcha', next: { ok: 'password', bad: 'captcha' } },
    password: { type: 'password', next: { ok: 'status', bad: 'password-failed' } },
    'password-failed': { type: 'throttle', config: LIMITS, next: { retry: 'password', captcha: 'captcha', locked: 'failure' } },
    status: { type: 'account-status', next: { active: 'otp', pending: 'failure', disabled: 'failure' } },
    otp: { type: 'totp', config: { enroll: false }, next: { ok: 'success', bad: 'otp-failed', skip: 'success' } },
    'otp-failed': { type: 'throttle', config: LIMITS, next: { retry: 'otp', captcha: 'otp-captcha', locked: 'failure' } },
    'otp-captcha': { type: 'captcha', next: { ok: 'otp', bad: 'otp-captcha' } },
    // Federated sign-in: linked or just-in-time accounts go on like a password sign-in (a local
    // TOTP still applies); an existing account with the upstream's email is linked only after
    // its password or an emailed code proves it is the user's.
    upstream: { type: 'idp', next: { ok: 'status', link: 'link-how', pending: 'success', failed: 'failure' } },
    'link-how': {
      type: 'choice',
      config: {
        title: 'Link your account',
        description: 'An account with your email address already exists here. Prove it is yours to link it to this sign-in.',
        options: [{ value: 'password', label: 'Use my password' }, { value: 'email', label: 'Email me a code' }],
      },
      next: { password: 'link-password', email: 'link-code' },
    },
    'link-password': { type: 'password', next: { ok: 'link', bad: 'link-password-failed' } },
    'link-password-failed': { type: 'throttle', config: LIMITS, next: { retry: 'link-password', captcha: 'link-captcha', locked: 'failure' } },
    'link-captcha': { type: 'captcha', next: { ok: 'link-password', bad: 'link-captcha' } },
    'link-code': { type: 'email-otp', next: { ok: 'link', bad: 'link-code', locked: 'failure', none: 'failure' } },
    link: { type: 'idp-link', next: { ok: 'status', bad: 'failure' } },
  },
};

/**
 * The same sign-in with username and password on one page (as Keycloak's default form): a
 * tenant picks it with settings.login.tree = "login-one-page". The throttle's check runs inside
 * the `credentials` node before the password; after a captcha the password is asked alone.
 * Identifier-first `login` stays for passkeys and IdP routing by the typed name.
 */
export const defaultLoginOnePageTree: Tree = {
  name: 'login-one-page',
  start: 'credentials',
  acr: 'urn:tessera:acr:password',
  nodes: {
    credentials: {
      type: 'credentials', config: { idps: true, throttle: { captchaAfter: LIMITS.captchaAfter, lockAfter: LIMITS.lockAfter, window: LIMITS.window } },
      next: { ok: 'status', bad: 'credentials-failed', captcha: 'captcha', locked: 'failure', federated: 'upstream' },
    },
    'credentials-failed': { type: 'throttle', config: LIMITS, next: { retry: 'credentials', captcha: 'captcha', locked: 'failure' } },
    ...Object.fromEntries(Object.entries(defaultLoginTree.nodes).filter(([name]) => !['identify', 'guard'].includes(name))),
  },
};

/**
 * Second factors, as an inner tree: `{ "type": "tree", "config": { "tree": "mfa" } }`, or as a
 * step-up of a signed-in user. Internal: it needs a user someone else named, so it never starts
 * alone (core/journeys/journey-policy.ts; stored before the flag existed, it is internal by name).
 */
export const defaultMfaTree: Tree = {
  name: 'mfa',
  internal: true,
  start: 'otp',
  acr: 'urn:tessera:acr:mfa',
  nodes: {
    otp: { type: 'totp', config: { enroll: true }, remember: { in: 'cookie', for: '12h' }, next: { ok: 'success', bad: 'otp', skip: 'failure' } },
  },
};

const { otp: _otp, 'otp-failed': _otpFailed, 'otp-captcha': _otpCaptcha, ...signIn } = defaultLoginTree.nodes;

/**
 * The MFA ACR for someone not signed in yet: the login tree's sign-in, then the `mfa` tree (which
 * cannot run alone: it needs the user this tree names). A signed-in user steps up with `mfa` only.
 */
export const defaultLoginMfaTree: Tree = {
  name: 'login-mfa',
  start: 'identify',
  acr: 'urn:tessera:acr:mfa',
  nodes: {
    ...signIn,
    status: { type: 'account-status', next: { active: 'mfa', pending: 'failure', disabled: 'failure' } },
    mfa: { type: 'tree', config: { tree: 'mfa' }, next: { success: 'success', failure: 'failure' } },
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

/**
 * Sign up: one form (email, name, password, the tenant's required profile attributes, the current
 * terms, an invitation code), then the registration workflow takes over. The journey succeeds
 * with a notice (check your email / awaiting approval), or signs the user in when invited.
 */
export const defaultRegistrationTree: Tree = {
  name: 'registration',
  start: 'signup',
  acr: 'urn:tessera:acr:password',
  nodes: {
    signup: { type: 'signup', next: { active: 'success', pending: 'success', bad: 'signup' } },
  },
};

/**
 * Forgotten password: a single-use link by mail (same answer whether or not the account exists),
 * then a new password. Tenants add steps after the link (e.g. a TOTP code) with trees import.
 */
export const defaultRecoveryTree: Tree = {
  name: 'recovery',
  start: 'identify',
  acr: 'urn:tessera:acr:password',
  nodes: {
    identify: { type: 'username', config: { label: 'Email' }, next: { ok: 'link' } },
    link: { type: 'email-link', config: { lifetime: '30m' }, next: { ok: 'status', bad: 'failure' } },
    status: { type: 'account-status', next: { active: 'reset', pending: 'failure', disabled: 'failure' } },
    reset: { type: 'new-password', next: { ok: 'success', retry: 'reset' } },
  },
};

/**
 * What a followed verification or sign-in link runs: the server has consumed the link and names
 * the user; the journey checks the account and signs the user in.
 */
export const defaultLinkSignInTree: Tree = {
  name: 'link-sign-in',
  start: 'link',
  acr: 'urn:tessera:acr:email',
  nodes: {
    link: { type: 'link-proof', next: { ok: 'status', none: 'failure' } },
    status: { type: 'account-status', next: { active: 'success', pending: 'failure', disabled: 'failure' } },
  },
};

/**
 * The account console's proof (server/api/journeys: `account` journeys only): a session signed in
 * within the last 5 minutes goes on at once; otherwise the user proves it is them again, with
 * their password or a passkey (no passkey: the password). Internal: it runs inside the account
 * trees below, or alone as the step-up of a signed-in user.
 */
export const defaultAccountStepUpTree: Tree = {
  name: 'account-step-up',
  internal: true,
  start: 'recent',
  nodes: {
    recent: { type: 'recent-auth', config: { within: '5m' }, next: { fresh: 'success', stale: 'how' } },
    how: {
      type: 'choice',
      config: {
        title: 'Confirm it\u2019s you',
        description: 'For your security, prove it is you before changing how you sign in.',
        options: [{ value: 'password', label: 'Enter my password' }, { value: 'passkey', label: 'Use a passkey' }],
      },
      next: { password: 'password', passkey: 'passkey' },
    },
    password: { type: 'password', next: { ok: 'success', bad: 'password-failed' } },
    'password-failed': { type: 'throttle', config: LIMITS, next: { retry: 'password', captcha: 'captcha', locked: 'failure' } },
    captcha: { type: 'captcha', next: { ok: 'password', bad: 'captcha' } },
    passkey: { type: 'webauthn', config: { mode: 'authenticate' }, next: { ok: 'success', bad: 'how', none: 'password' } },
  },
};

/** An account tree: the step-up proof, then the change itself (`change`). */
function accountTree(name: string, change: Tree['nodes'][string]): Tree {
  return {
    name,
    start: 'proof',
    acr: 'urn:tessera:acr:password',
    nodes: {
      proof: { type: 'tree', config: { tree: defaultAccountStepUpTree.name }, next: { success: 'change', failure: 'failure' } },
      change,
    },
  };
}

/** The account console's sensitive changes, each an `account` journey (its trees are named account-*). */
export const defaultAccountPasswordTree = accountTree('account-password', { type: 'new-password', next: { ok: 'success', retry: 'change' } });
export const defaultAccountTotpTree = accountTree('account-totp', { type: 'totp', config: { enroll: true }, next: { ok: 'success', bad: 'change', skip: 'failure' } });
export const defaultAccountPasskeyTree = accountTree('account-passkey', { type: 'webauthn', config: { mode: 'register' }, next: { ok: 'success', bad: 'change' } });
export const defaultAccountTotpRemoveTree = accountTree('account-totp-remove', { type: 'totp-remove', next: { ok: 'success', none: 'failure' } });
/** Removing a passkey or unlinking an upstream account: the journey's request names which (request.remove). */
export const defaultAccountPasskeyRemoveTree = accountTree('account-passkey-remove', { type: 'passkey-remove', next: { ok: 'success', none: 'failure' } });
export const defaultAccountUnlinkTree = accountTree('account-unlink', { type: 'idp-unlink', next: { ok: 'success', none: 'failure' } });
/** A new email address: asked, then proven by a link mailed to it (`sent` shows the wait for it). */
export const defaultAccountEmailTree = accountTree('account-email', { type: 'email-change', config: { lifetime: '30m' }, next: { ok: 'success', sent: 'change', retry: 'change' } });
/** Links an upstream account to the signed-in user: the journey's request names the IdP (request.link). */
export const defaultAccountLinkTree = accountTree('account-link', { type: 'idp', next: { ok: 'success', failed: 'failure' } });

export const accountTrees: Tree[] = [
  defaultAccountStepUpTree, defaultAccountPasswordTree, defaultAccountTotpTree, defaultAccountPasskeyTree, defaultAccountTotpRemoveTree,
  defaultAccountEmailTree, defaultAccountLinkTree, defaultAccountPasskeyRemoveTree, defaultAccountUnlinkTree,
];

export const defaultTrees: Tree[] = [
  defaultLoginTree, defaultLoginOnePageTree, defaultMfaTree, defaultLoginMfaTree, defaultPasswordlessTree, defaultRegistrationTree, defaultRecoveryTree, defaultLinkSignInTree,
  ...accountTrees,
];

/** Trees a tenant created before they existed gets on first use (see core/journeys/trees.ts). */
export const lateDefaultTrees: Tree[] = [defaultLoginOnePageTree, defaultRegistrationTree, defaultRecoveryTree, defaultLinkSignInTree, defaultLoginMfaTree, ...accountTrees];
