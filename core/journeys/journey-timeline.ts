// A journey's decisions in order, rebuilt from its Temporal history: the tree it loaded (name,
// version), each node it ran (module, outcome, whether a remembered result skipped it), each step
// it showed and when input came, the errors a module answered (codes only), inner trees, and how
// it ended. A node's decision is a prepareNode / verifyNode result (journeys recorded before the
// journey-chain patch) or one entry of an advanceJourney result's `decisions` (a module chain). Pure: the caller decodes the history into HistoryRecords (journey-history.ts).
// Rules: what a user typed never appears — a submit contributes only its step id; step and error
// entries carry codes and titles, never field values; a history this code does not understand
// still yields every module call in order (the walk stops being followed, nothing is invented).
import type { Tree, TreeBundle } from './tree-types.ts';

export type HistoryRecord =
  | { kind: 'started'; at: string; journeyKind: string; tree: string }
  | { kind: 'activity'; at: string; type: string; result?: unknown; failure?: string }
  | { kind: 'submit'; at: string; stepId: string }
  | { kind: 'link'; at: string }
  | { kind: 'expired'; at: string }
  | { kind: 'closed'; at: string; outcome: string; status?: string };

export interface TimelineEntry {
  at: string;
  event: 'started' | 'tree' | 'node' | 'step' | 'input' | 'link' | 'subtree' | 'expired' | 'module-error' | 'ended';
  node?: string;
  module?: string;
  outcome?: string;
  errors?: string[];
  remembered?: boolean;
  stepType?: string;
  title?: string;
  tree?: string;
  version?: number;
  detail?: string;
}

export interface Timeline { kind?: string; tree?: string; version?: number; status?: string; startedAt?: string; endedAt?: string; entries: TimelineEntry[] }

interface Frame { tree: Tree; node: string | undefined; prefix: string }

const TERMINALS = new Set(['success', 'failure']);

export function buildTimeline(records: HistoryRecord[]): Timeline {
  const out: Timeline = { entries: [] };
  const push = (entry: TimelineEntry) => out.entries.push(entry);
  let bundle: TreeBundle | undefined;
  const frames: Frame[] = [];
  let lost = false;
  // A fired timer is the expiry only if the journey then ended expired: the idle deadline of the
  // journey-chain shape may fire early, while input is still to come, and start the next timer.
  let timerFired: string | undefined;
  const current = () => frames[frames.length - 1];
  const nodeOf = (f: Frame | undefined) => (f?.node ? f.tree.nodes[f.node] : undefined);
  const name = (f: Frame) => f.prefix + (f.node ?? '');

  /** Follows `outcome` from the current node; a terminal ends the frame and is its parent node's outcome. */
  function advance(outcome: string, at: string): void {
    let frame = current();
    while (frame) {
      const next = nodeOf(frame)?.next[outcome];
      if (next !== undefined && !TERMINALS.has(next)) {
        frame.node = next;
        return;
      }
      const terminal = next ?? 'failure';
      frames.pop();
      frame = current();
      if (!frame) {
        push({ at, event: 'node', node: 'end', outcome: terminal, ...(next === undefined ? { detail: `outcome "${outcome}" is not routed` } : {}) });
        return;
      }
      push({ at, event: 'node', node: name(frame), module: nodeOf(frame)?.type, outcome: terminal });
      outcome = terminal;
    }
  }

  /** One module's decision (a prepareNode or verifyNode result) at the walk's current node. */
  function decide(at: string, type: 'prepareNode' | 'verifyNode', result: Record<string, any> | null | undefined): void {
    if (lost) return;
    const frame = current();
    const node = nodeOf(frame);
    if (!frame || !node || !result) {
      lost = true;
      push({ at, event: 'node', module: type, detail: 'history not followed further' });
      return;
    }
    const base = { at, node: name(frame), module: node.type };
    if (type === 'verifyNode') {
      const errors = Array.isArray(result.errors) ? result.errors.map((e: { code?: string }) => String(e.code)) : undefined;
      push({ ...base, event: 'node', outcome: result.outcome, ...(errors?.length ? { errors } : {}) });
      advance(result.outcome, at);
    } else if (result.kind === 'step') {
      push({ ...base, event: 'step', stepType: result.step?.type, title: result.step?.title });
    } else if (result.kind === 'subtree') {
      const inner = bundle?.inner?.[result.tree];
      push({ ...base, event: 'subtree', tree: result.tree, version: inner?.version });
      if (inner) frames.push({ tree: inner, node: inner.start, prefix: `${name(frame)}/` });
      else lost = true;
    } else {
      push({ ...base, event: 'node', outcome: result.outcome, ...(result.remembered ? { remembered: true } : {}) });
      advance(result.outcome, at);
    }
  }

  /** The required actions' tree, walked after the root's success under the `required/` prefix. */
  const enterRequiredActions = (tree: Tree) => frames.push({ tree, node: tree.start, prefix: 'required/' });

  for (const r of records) {
    switch (r.kind) {
      case 'started':
        Object.assign(out, { kind: r.journeyKind, tree: r.tree, startedAt: r.at });
        push({ at: r.at, event: 'started', tree: r.tree });
        break;
      case 'submit':
        timerFired = undefined;
        push({ at: r.at, event: 'input', node: r.stepId.replace(/#\d+$/, ''), detail: r.stepId });
        break;
      case 'link':
        timerFired = undefined;
        push({ at: r.at, event: 'link' });
        break;
      case 'expired':
        timerFired = r.at;
        break;
      case 'closed':
        if (timerFired && (r.status ?? r.outcome) === 'expired') push({ at: timerFired, event: 'expired' });
        timerFired = undefined;
        out.endedAt = r.at;
        out.status = r.status ?? r.outcome;
        push({ at: r.at, event: 'ended', outcome: r.status ?? r.outcome });
        break;
      case 'activity': {
        if (r.failure) {
          push({ at: r.at, event: 'module-error', module: r.type, detail: r.failure, ...(frames.length ? { node: name(current()!) } : {}) });
          break;
        }
        const result = r.result as Record<string, any> | null | undefined;
        if (r.type === 'loadTree' && result) {
          bundle = result as TreeBundle;
          out.version = bundle.version;
          frames.push({ tree: bundle, node: bundle.start, prefix: '' });
          push({ at: r.at, event: 'tree', tree: bundle.name, version: bundle.version });
        } else if (r.type === 'requiredActions') {
          if (result) enterRequiredActions(result as Tree);
        } else if (r.type === 'advanceJourney') {
          // One module chain: each node's decision, in order, as if each had been its own call.
          const decisions = Array.isArray(result?.decisions) ? result.decisions : [];
          for (const d of decisions) decide(r.at, d?.phase === 'verify' ? 'verifyNode' : 'prepareNode', d?.result);
          // A chain that reached the root's success answered requiredActions itself.
          if (result?.requiredActions) enterRequiredActions(result.requiredActions as Tree);
        } else if (r.type === 'prepareNode' || r.type === 'verifyNode') {
          decide(r.at, r.type, result);
        }
        break;
      }
    }
  }
  return out;
}
