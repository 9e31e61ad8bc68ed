// The Journey API's shapes (DESIGN.md §4) and what travels between server, workflow and modules.
// Types only: the workflow sandbox imports this file with `import type`.
import type { TreeBundle } from './tree-types.ts';

/** `account`: a signed-in user changes their own account (the account console); server-started only. */
export type JourneyKind = 'login' | 'registration' | 'recovery' | 'account';
export type JourneyStatus = 'waiting' | 'succeeded' | 'failed' | 'expired';
export type StepType = 'form' | 'webauthn.create' | 'webauthn.get' | 'choice' | 'message' | 'redirect';
export type FieldType = 'text' | 'email' | 'password' | 'otp' | 'checkbox' | 'hidden';

export interface StepError { field?: string; code: string; message: string }

export interface Field {
  name: string;
  type: FieldType;
  label: string;
  required: boolean;
  autocomplete?: string;
  value?: string;
  /** Upper bound on the submitted value's length; the update validator enforces it. */
  maxLength?: number;
}

/** What a module asks the user; the workflow adds id, node and errors. */
export interface StepSpec {
  type: StepType;
  title: string;
  /** Extension: a sentence under the title. */
  description?: string;
  /** Extension: an image to show (the TOTP enrolment QR code, as a data: URL). */
  image?: { src: string; alt: string };
  fields?: Field[];
  options?: Record<string, unknown>;
  choices?: { value: string; label: string }[];
}

export interface Step extends StepSpec {
  id: string;
  node: string;
  errors?: StepError[];
}

export interface JourneyView {
  id: string;
  kind: JourneyKind;
  status: JourneyStatus;
  step?: Step;
  redirectTo?: string;
  error?: { code: string; message: string };
  /**
   * Extension: what a journey that succeeded without signing anyone in achieved, for the user
   * (a registration awaiting verification or approval).
   */
  notice?: { code: string; message: string };
}

/** Normalized result handed back to whichever protocol started the journey. */
export interface AuthResult {
  subject: string;
  tenant: string;
  acr: string;
  amr: string[];
  authTime: number;
  /** The SSO session family the new session joins (see core/journeys/remembered.ts). */
  ssoId?: string;
}

/** What the server reads: the view plus what only the server may see. */
export interface JourneySnapshot {
  view: JourneyView;
  tenant: string;
  binding: string;
  result?: AuthResult;
}

export interface JourneyRequest {
  ip?: string;
  userAgent?: string;
  returnTo?: string;
  /** The browser's SSO session family (stable across re-authentication): scope of remember "session". */
  ssoId?: string;
  /** sha256 of the browser's device cookie: scope of remember "cookie". */
  deviceId?: string;
  /**
   * Set by the server only, after it consumed a single-use mailed link for this user: the
   * `link-proof` module signs the user in with it. Never taken from a client's request body.
   */
  proof?: { userId: string; via: 'verify-email' | 'sign-in' };
  /**
   * Set by a protocol adapter that started the journey for an authorization request (the
   * normalized AuthRequest of DESIGN.md §1): who asks, and what they asked for.
   */
  authRequest?: AuthRequest;
  /**
   * Set by the server only: the browser's SSO session is too weak for the request, and this
   * journey raises it. Nodes whose proof the session already holds are answered without a step
   * (activities/journey.ts), so only the missing part of the tree asks the user.
   */
  stepUp?: { userId: string; amr: string[]; acr?: string };
  /**
   * Set by the server only, for an `account` journey: the SSO session (cookie) of the signed-in
   * user whose account the journey changes — when it signed in and what it proved. The journey's
   * user is this one (with `stepUp`, amr empty: nothing counts as proven by the session alone);
   * the `recent-auth` module decides whether the session is fresh enough to skip a new proof.
   */
  account?: { userId: string; authTime: number; amr: string[] };
  /**
   * Set by the server only, for an `account` journey started to link an upstream account (the
   * account console's "Link an account"): the enabled IdP the user chose. The `idp` node of an
   * account journey links what that IdP vouches for to the journey's user (`account`), never
   * signing in whoever the upstream names.
   */
  link?: { idp: string };
  /**
   * Set by the server only, for an `account` journey that removes something of the signed-in
   * user's (the account console's "Remove" of a passkey, "Unlink" of an upstream account): what
   * the browser named — a passkey's credential id (tree account-passkey-remove) or an IdP's alias
   * (account-unlink). The removing node acts on the journey user's own only, after the proof.
   */
  remove?: string;
}

/** What a relying party asked for when a protocol started the journey (no secrets). */
export interface AuthRequest {
  clientId: string;
  clientName?: string;
  /** Prefills the login (username module). */
  loginHint?: string;
  prompt?: string[];
  acrValues?: string[];
  maxAge?: number;
}

export interface JourneyInput {
  id: string;
  tenant: string;
  kind: JourneyKind;
  tree: string;
  /** sha256 of the browser-binding cookie: only that browser may read or drive the journey. */
  binding: string;
  idleTimeoutMs: number;
  request: JourneyRequest;
  /**
   * The tree snapshot the journey runs (activities/tree-bundle.ts), when its starter already
   * loaded it (the server does, as it checks the start). Without it the journey loads the
   * snapshot itself, in its loadTree activity, which costs one more activity and database read.
   */
  bundle?: TreeBundle;
}

export interface SubmitInput {
  tenant: string;
  stepId: string;
  binding: string;
  values: Record<string, unknown>;
}

/**
 * A mailed link for the current step was followed (its token already consumed by the server):
 * the journey moves to the browser that followed it (`binding`) and the step's module receives
 * `{ "#link": hash }` as input.
 */
export interface FollowLinkInput {
  tenant: string;
  /** sha256 (hex) of the link's token. */
  hash: string;
  binding: string;
}

/** Failure types the server maps to HTTP statuses. */
export const FailureTypes = {
  notFound: 'JourneyNotFound',
  staleStep: 'StaleStep',
  invalidInput: 'InvalidInput',
  finished: 'JourneyFinished',
  linkNotCurrent: 'LinkNotCurrent',
} as const;
