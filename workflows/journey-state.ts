// A journey's state, apart from Temporal: the context modules see, the step shown, the input
// waiting to be judged, and the end. Pure, so it is unit-tested without a server.
import { ApplicationFailure } from '@temporalio/common';
import type { ContextPatch, JourneyContext, JourneyLink, NodeCall } from '../core/journeys/journey-context.ts';
import type { AuthResult, FollowLinkInput, JourneyInput, JourneySnapshot, JourneyStatus, JourneyView, Step, StepError, StepSpec, SubmitInput } from '../core/journeys/journey-types.ts';
import { FailureTypes } from '../core/journeys/journey-types.ts';
import type { Tree, TreeNode } from '../core/journeys/tree-types.ts';
import { checkValues } from './journey-values.ts';

/** A journey that has taken this many node transitions is stopped: a loop or an attack. */
export const MAX_TRANSITIONS = 300;
/** A journey that visits this many nodes without showing the user a step is stopped: a loop. */
export const MAX_VISITS_WITHOUT_INPUT = 50;
const MAX_OUTCOMES_KEPT = 100;

export const GENERIC_FAILURE = { code: 'login_failed', message: 'Sign-in failed. Please start again.' };
export const INTERNAL_FAILURE = { code: 'internal_error', message: 'Something went wrong on our side. Please start again.' };

/** Applies a module's patch to the context, as the workflow does (and the chain activity, ahead of it). */
export function applyPatch(ctx: JourneyContext, nodeId: string, patch: ContextPatch | undefined): void {
  if (!patch) return;
  if (patch.login !== undefined) ctx.login = patch.login;
  if (patch.user === null) delete ctx.user;
  else if (patch.user) ctx.user = patch.user;
  if (patch.resetAmr) ctx.amr = [];
  if (patch.amr) ctx.amr = [...new Set([...ctx.amr, ...patch.amr])];
  if (patch.nodeState === null) delete ctx.nodeState[nodeId];
  else if (patch.nodeState !== undefined) ctx.nodeState[nodeId] = patch.nodeState;
  if (patch.error) ctx.error = patch.error;
  if (patch.notice) ctx.notice = patch.notice;
  if (patch.federated === null) delete ctx.federated;
  else if (patch.federated) ctx.federated = patch.federated;
}

/** Remembers a node's outcome in the context (the last MAX_OUTCOMES_KEPT, for scripts). */
export function recordOutcome(ctx: JourneyContext, nodeId: string, outcome: string): void {
  ctx.outcomes.push({ node: nodeId, outcome });
  if (ctx.outcomes.length > MAX_OUTCOMES_KEPT) ctx.outcomes.shift();
}

/** Where an outcome leads, or undefined when the node does not route it. */
export function nextOf(node: TreeNode, outcome: string): string | undefined {
  return Object.hasOwn(node.next, outcome) ? node.next[outcome] : undefined;
}

export class JourneyState {
  readonly ctx: JourneyContext;
  status: JourneyStatus = 'waiting';
  step?: Step;
  /** Bumped whenever a new step is shown or the journey ends: what an update waits for. */
  seq = 0;
  result?: AuthResult;
  error?: { code: string; message: string };
  #pending?: Record<string, string>;
  #carry?: StepError[];
  /** The mailed link (or upstream callback) that answers the current step, if any (never shown). */
  #link?: JourneyLink;
  /** The browser the journey belongs to: the starting one, until a mailed link moves it. */
  #binding: string;
  #attempts: Record<string, number> = {};
  #transitions = 0;
  #sinceStep = 0;

  readonly input: JourneyInput;

  constructor(input: JourneyInput) {
    this.input = input;
    this.#binding = input.binding;
    this.ctx = {
      journeyId: input.id, tenant: input.tenant, kind: input.kind,
      // A browser without an SSO session starts a new family, named after this journey: what it
      // remembers "in session" belongs to the session this journey creates.
      request: { ...input.request, ssoId: input.request.ssoId ?? input.id },
      amr: [], outcomes: [], nodeState: {},
    };
  }

  view(): JourneyView {
    return {
      id: this.input.id,
      kind: this.input.kind,
      status: this.status,
      ...(this.status === 'waiting' && this.step ? { step: this.step } : {}),
      ...(this.status === 'succeeded' && this.input.request.returnTo ? { redirectTo: this.input.request.returnTo } : {}),
      ...(this.error && this.status !== 'succeeded' ? { error: this.error } : {}),
      ...(this.status === 'succeeded' && !this.result && this.ctx.notice ? { notice: this.ctx.notice } : {}),
    };
  }

  snapshot(): JourneySnapshot {
    return { view: this.view(), tenant: this.input.tenant, binding: this.#binding, ...(this.result ? { result: this.result } : {}) };
  }

  /** @throws ApplicationFailure (JourneyNotFound | JourneyFinished | StaleStep | InvalidInput). */
  validateSubmit(submit: SubmitInput): void {
    if (submit.binding !== this.#binding || submit.tenant !== this.input.tenant) throw ApplicationFailure.nonRetryable('journey not found', FailureTypes.notFound);
    if (this.status !== 'waiting') throw ApplicationFailure.nonRetryable(`journey is ${this.status}`, FailureTypes.finished, this.status);
    if (!this.step || submit.stepId !== this.step.id || this.#pending) {
      throw ApplicationFailure.nonRetryable('this step is no longer current', FailureTypes.staleStep);
    }
    const check = checkValues(this.step, submit.values);
    if (!check.ok) throw ApplicationFailure.nonRetryable('invalid input', FailureTypes.invalidInput, check.errors);
  }

  /**
   * A followed link is accepted only for the step that mailed it, before it expires (`now`: the
   * workflow clock), and only once (its input then waits to be judged).
   * @throws ApplicationFailure (JourneyNotFound | JourneyFinished | LinkNotCurrent).
   */
  validateFollowLink(link: FollowLinkInput, now: number): void {
    if (link.tenant !== this.input.tenant) throw ApplicationFailure.nonRetryable('journey not found', FailureTypes.notFound);
    if (this.status !== 'waiting') throw ApplicationFailure.nonRetryable(`journey is ${this.status}`, FailureTypes.finished, this.status);
    if (!this.#link || this.#link.hash !== link.hash || now >= this.#link.expiresAt || this.#pending) {
      throw ApplicationFailure.nonRetryable('this link does not answer the current step', FailureTypes.linkNotCurrent);
    }
    // An upstream's answer counts only in the browser that went there (else: login CSRF).
    if (this.#link.sameBrowser && link.binding !== this.#binding) throw ApplicationFailure.nonRetryable('journey not found', FailureTypes.notFound);
  }

  /** Moves the journey to the browser that followed the link and hands the module the link. */
  followLink(link: FollowLinkInput): void {
    this.#binding = link.binding;
    this.#link = undefined;
    this.#pending = { '#link': link.hash };
  }

  accept(submit: SubmitInput): void {
    const check = checkValues(this.step!, submit.values);
    if (check.ok) this.#pending = check.values;
  }

  get hasInput(): boolean {
    return this.#pending !== undefined;
  }

  takeInput(): Record<string, string> {
    const values = this.#pending!;
    this.#pending = undefined;
    return values;
  }

  call(nodeId: string, node: TreeNode, tree: string): NodeCall {
    return {
      ctx: this.ctx, node: nodeId, tree, type: node.type, config: node.config ?? {},
      ...(node.remember ? { remember: node.remember } : {}), attempt: (this.#attempts[nodeId] ?? 0) + 1,
    };
  }

  show(nodeId: string, spec: StepSpec, link?: JourneyLink): void {
    this.#link = link;
    const attempt = (this.#attempts[nodeId] = (this.#attempts[nodeId] ?? 0) + 1);
    this.step = { ...spec, id: `${nodeId}#${attempt}`, node: nodeId, ...(this.#carry ? { errors: this.#carry } : {}) };
    this.#carry = undefined;
    this.#sinceStep = 0;
    this.seq++;
  }

  apply(nodeId: string, patch: ContextPatch | undefined, errors?: StepError[]): void {
    if (errors?.length) this.#carry = errors;
    applyPatch(this.ctx, nodeId, patch);
  }

  /** How many more routes this journey may take before route() stops it (see the limits above). */
  get routesLeft(): number {
    return Math.min(MAX_TRANSITIONS - this.#transitions, MAX_VISITS_WITHOUT_INPUT - this.#sinceStep);
  }

  /** How often each node showed its step: a node's next call is attempt n + 1. */
  get attempts(): Record<string, number> {
    return { ...this.#attempts };
  }

  /**
   * The node an outcome leads to, or undefined (the journey then fails) when it is not routed, or
   * after too many transitions in all or since the last step shown.
   */
  route(nodeId: string, node: TreeNode, outcome: string): string | undefined {
    recordOutcome(this.ctx, nodeId, outcome);
    if (++this.#transitions > MAX_TRANSITIONS || ++this.#sinceStep > MAX_VISITS_WITHOUT_INPUT) return undefined;
    return nextOf(node, outcome);
  }

  /**
   * Signs the user in, but only an active account: a registration (or a federated sign-in sent to
   * registration) that leaves its account pending succeeds with its notice and no session; any
   * other journey fails.
   */
  succeed(tree: Tree, now: number): void {
    // An upstream account offered for linking to this user, never linked (no proof): nobody signs in.
    if (this.ctx.federated?.linkTo && !this.ctx.federated.linked) return this.fail(GENERIC_FAILURE);
    if (!this.ctx.user || this.ctx.user.status !== 'active') {
      // A registration (or a federated sign-in sent to registration) leaving its account pending.
      if (this.ctx.notice && (this.input.kind === 'registration' || this.ctx.federated)) return this.end('succeeded');
      return this.fail(GENERIC_FAILURE);
    }
    const amr = this.ctx.amr.length > 1 ? [...this.ctx.amr, 'mfa'] : [...this.ctx.amr];
    this.result = {
      subject: this.ctx.user.id, tenant: this.input.tenant, acr: tree.acr ?? '1', amr, authTime: now,
      ssoId: this.ctx.request.ssoId,
    };
    this.end('succeeded');
  }

  fail(error: { code: string; message: string }): void {
    this.error = error;
    this.end('failed');
  }

  expire(): void {
    this.error = { code: 'expired', message: 'This sign-in has expired. Please start again.' };
    this.end('expired');
  }

  private end(status: JourneyStatus): void {
    this.status = status;
    this.step = undefined;
    this.#link = undefined;
    this.seq++;
  }
}
