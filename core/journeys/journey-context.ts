// What a journey knows while it runs, and how modules change it. The workflow keeps the context;
// modules (activities) receive a copy and answer with a patch. Types only.
import type { JourneyKind, JourneyRequest, StepError, StepSpec } from './journey-types.ts';
import type { Remember } from './tree-types.ts';

export interface JourneyUser { id: string; username: string; status: 'pending' | 'active' | 'disabled' }

/**
 * A federated sign-in in progress: the IdP picked (before the round trip), then the upstream
 * account it vouched for. `linkTo` names the existing account it may be linked to once the user
 * proved they own it (the journey cannot succeed before: JourneyState.succeed); `linked` says the
 * upstream account is (now) linked to the journey's user. Claims are after the IdP's claim rules.
 */
export interface FederatedContext {
  idp: string;
  subject?: string;
  email?: string;
  linkTo?: string;
  linked?: boolean;
  claims?: Record<string, unknown>;
}

export interface JourneyContext {
  journeyId: string;
  tenant: string;
  kind: JourneyKind;
  request: JourneyRequest;
  /** What the user typed as their login, even when no such account exists. */
  login?: string;
  user?: JourneyUser;
  amr: string[];
  outcomes: { node: string; outcome: string }[];
  /** Per-node scratch space owned by the node's module (e.g. a TOTP secret being enrolled). */
  nodeState: Record<string, unknown>;
  error?: { code: string; message: string };
  notice?: { code: string; message: string };
  federated?: FederatedContext;
}

export interface ContextPatch {
  login?: string;
  /** null clears the user. */
  user?: JourneyUser | null;
  amr?: string[];
  nodeState?: unknown;
  error?: { code: string; message: string };
  /** Shown when the journey succeeds without signing anyone in (see JourneyView.notice). */
  notice?: { code: string; message: string };
  /** null clears it. */
  federated?: FederatedContext | null;
  /**
   * Forget what the journey proved so far (applied before `amr`): the user changed to the one an
   * upstream IdP named, and earlier proofs were about someone else.
   */
  resetAmr?: boolean;
}

export interface JourneyLink { hash: string; expiresAt: number; sameBrowser?: boolean }

export interface NodeCall {
  ctx: JourneyContext;
  /** The node's id; inside an inner tree, prefixed with the outer node's: "mfa/otp". */
  node: string;
  /** The tree the node belongs to (for remembered results). */
  tree: string;
  remember?: Remember;
  type: string;
  config: Record<string, unknown>;
  /** 1 for the first visit of this node in this journey. */
  attempt: number;
}

export type PrepareResult =
  | {
    kind: 'step'; step: StepSpec; patch?: ContextPatch;
    /**
     * A mailed link (or an upstream IdP's callback) that answers this step when followed
     * (FollowLinkInput); never shown. `sameBrowser`: only the browser the journey belongs to may
     * bring it back (a federated callback: no login CSRF), instead of moving the journey.
     */
    link?: JourneyLink;
    /** Wait this long for the user instead of the journey's idle timeout (e.g. a link's lifetime). */
    waitMs?: number;
  }
  | { kind: 'outcome'; outcome: string; patch?: ContextPatch; remembered?: boolean }
  /** Run another tree of the journey's snapshot; its success or failure is this node's outcome. */
  | { kind: 'subtree'; tree: string; patch?: ContextPatch };

export interface VerifyResult { outcome: string; patch?: ContextPatch; errors?: StepError[] }
