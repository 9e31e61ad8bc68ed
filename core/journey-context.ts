// What a journey knows while it runs, and how modules change it. The workflow keeps the context;
// modules (activities) receive a copy and answer with a patch. Types only.
import type { JourneyKind, JourneyRequest, StepError, StepSpec } from './journey-types.ts';
import type { Remember } from './tree-types.ts';

export interface JourneyUser { id: string; username: string; status: 'pending' | 'active' | 'disabled' }

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
}

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
    /** A mailed link that answers this step when followed (FollowLinkInput); never shown. */
    link?: { hash: string; expiresAt: number };
    /** Wait this long for the user instead of the journey's idle timeout (e.g. a link's lifetime). */
    waitMs?: number;
  }
  | { kind: 'outcome'; outcome: string; patch?: ContextPatch; remembered?: boolean }
  /** Run another tree of the journey's snapshot; its success or failure is this node's outcome. */
  | { kind: 'subtree'; tree: string; patch?: ContextPatch };

export interface VerifyResult { outcome: string; patch?: ContextPatch; errors?: StepError[] }
