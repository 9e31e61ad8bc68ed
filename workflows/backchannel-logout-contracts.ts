// The back-channel logout workflow's input and what its activities exchange. The server imports
// this file (to start the workflow), never the workflow itself.

export interface BackchannelLogoutInput {
  tenant: string;
  /** The SSO session family that ended: every relying party it signed in to is told. */
  ssoId: string;
  /** Only the clients this user signed in to (another user took over the browser's session). */
  userId?: string;
}

/** One relying party to notify: where, and the `sid` and `sub` its logout token names. */
export interface BackchannelTarget {
  tenant: string;
  ssoId: string;
  clientId: string;
  sid: string;
  userId: string;
  uri: string;
  /** The client's ID token signing algorithm: its logout tokens are signed the same way. */
  alg: string;
}

export interface BackchannelOutcome extends BackchannelTarget {
  delivered: boolean;
  /** Why the last attempt failed (an HTTP status or a network error), never a token. */
  error?: string;
}

export const BACKCHANNEL_LOGOUT_WORKFLOW = 'backchannelLogoutWorkflow';

/** One run per ended session family (and user): starting it again while it runs is harmless. */
export function backchannelLogoutWorkflowId(input: BackchannelLogoutInput): string {
  return `backchannel-logout-${input.tenant}-${input.ssoId}${input.userId ? `-${input.userId}` : ''}`;
}
