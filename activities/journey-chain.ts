// One local activity per user step: the module chain between two user steps (the step's verify,
// then every node its outcome leads to — throttle check, password, throttle, account status… —
// up to the next step, a subtree or the end) runs in ONE activity call, whose result lists every
// node's decision in order. The workflow then applies those decisions one by one exactly as if
// each had been its own activity (workflows/journey.ts), so history still records every decision
// (the journey timeline reads them: core/journeys/journey-timeline.ts).
// Rules: the chain walks one tree and routes with the workflow's own functions (applyPatch,
// recordOutcome, nextOf in workflows/journey-state.ts), so the context each module sees is the
// one it would have seen node by node; it stops where the workflow would stop: at a step, a
// subtree, a terminal, an unrouted outcome, or when the journey's transition budget is spent.
// Each module gets its own copy of the context. A failing module fails the whole call (retried
// as one: modules are idempotent under retries already, e.g. throttle counts by event key).
// A chain that reaches `success` of the root tree also asks what must happen before the session
// (requiredActions), with the context the workflow will then hold, and returns it: the journey
// takes that answer instead of calling requiredActions as an activity of its own.
import type { JourneyContext, NodeCall, PrepareResult, VerifyResult } from '../core/journeys/journey-context.ts';
import type { Tree } from '../core/journeys/tree-types.ts';
import { applyPatch, nextOf, recordOutcome } from '../workflows/journey-state.ts';

export interface ChainInput {
  ctx: JourneyContext;
  /** The tree being walked, without its inner trees. */
  tree: Tree;
  /** Prefix of the node ids of an inner tree ("mfa/"), '' at the root. */
  prefix: string;
  /** The node the chain starts at (an id of `tree`). */
  node: string;
  /** The step's input: the chain starts by verifying `node` with it; without it, by preparing `node`. */
  values?: Record<string, string>;
  /** How often each node showed its step (a call's attempt is that + 1). */
  attempts: Record<string, number>;
  /** Routes the journey may still take (JourneyState.routesLeft). */
  routesLeft: number;
}

export type ChainDecision =
  | { node: string; phase: 'prepare'; result: PrepareResult }
  | { node: string; phase: 'verify'; result: VerifyResult };

export interface ChainResult {
  decisions: ChainDecision[];
  /**
   * Set (a tree, or null for none) when the chain ended at the root tree's `success` and the
   * activities answer requiredActions; absent otherwise, and in results recorded before.
   */
  requiredActions?: Tree | null;
}

export interface NodeActivities {
  prepareNode(call: NodeCall): Promise<PrepareResult>;
  verifyNode(call: NodeCall, values: Record<string, string>): Promise<VerifyResult>;
  requiredActions?(ctx: JourneyContext): Promise<Tree | null>;
}

export async function runChain(input: ChainInput, acts: NodeActivities): Promise<ChainResult> {
  const { tree, prefix, attempts } = input;
  const ctx = structuredClone(input.ctx);
  const decisions: ChainDecision[] = [];
  let nodeId: string | undefined = input.node;
  let values = input.values;
  let routes = 0;
  while (nodeId !== undefined && nodeId !== 'success' && nodeId !== 'failure') {
    const node = Object.hasOwn(tree.nodes, nodeId) ? tree.nodes[nodeId] : undefined;
    if (!node) break;
    const key = prefix + nodeId;
    const call: NodeCall = {
      ctx: structuredClone(ctx), node: key, tree: tree.name, type: node.type, config: node.config ?? {},
      ...(node.remember ? { remember: node.remember } : {}), attempt: (attempts[key] ?? 0) + 1,
    };
    let outcome: string;
    if (values) {
      const result = await acts.verifyNode(call, values);
      values = undefined;
      decisions.push({ node: key, phase: 'verify', result });
      applyPatch(ctx, key, result.patch);
      outcome = result.outcome;
    } else {
      const result = await acts.prepareNode(call);
      decisions.push({ node: key, phase: 'prepare', result });
      if (result.kind !== 'outcome') break;
      applyPatch(ctx, key, result.patch);
      outcome = result.outcome;
    }
    recordOutcome(ctx, key, outcome);
    if (++routes > input.routesLeft) break;
    nodeId = nextOf(node, outcome);
  }
  if (nodeId === 'success' && prefix === '' && acts.requiredActions) {
    return { decisions, requiredActions: await acts.requiredActions(ctx) };
  }
  return { decisions };
}

/**
 * The activities with `advanceJourney` built on their own prepareNode / verifyNode (so a test's
 * fake modules run in chains too).
 */
export function withJourneyChain<A extends NodeActivities>(acts: A): A & { advanceJourney(input: ChainInput): Promise<ChainResult> } {
  return { ...acts, advanceJourney: (input: ChainInput) => runChain(input, acts) };
}
