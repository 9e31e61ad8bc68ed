// Tree validation: every outcome routed, every target known, no unreachable node, known module
// types, config accepted by the module, well-formed `remember`, `internal` a boolean. Errors name
// the node. Pure: the catalog of modules is passed in, so the CLI, the activities and unit tests
// share this code.
import type { ModuleCatalog, Tree, TreeNode } from '../../core/journeys/tree-types.ts';
import { TERMINALS } from '../../core/journeys/tree-types.ts';
import { isDuration } from '../../core/infra/duration.ts';

export interface TreeError { node?: string; message: string }
export type TreeCheck = { ok: true; tree: Tree } | { ok: false; errors: TreeError[] };

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const NODE_ID = /^[A-Za-z0-9_.?-]{1,64}$/;
const MAX_NODES = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkNode(id: string, raw: unknown, ids: Set<string>, catalog: ModuleCatalog): TreeError[] {
  const errors: TreeError[] = [];
  const fail = (message: string) => errors.push({ node: id, message });
  if (!NODE_ID.test(id) || (TERMINALS as readonly string[]).includes(id)) {
    fail(`node id "${id}" is not allowed (letters, digits, _ . ? -; not a terminal name)`);
  }
  if (!isRecord(raw)) return [...errors, { node: id, message: 'node must be an object' }];
  const node = raw as Partial<TreeNode>;
  const module = typeof node.type === 'string' ? catalog[node.type] : undefined;
  if (!module) return [...errors, { node: id, message: `unknown module type "${String(node.type)}"` }];
  if (node.config !== undefined && !isRecord(node.config)) fail('config must be an object');
  const config = isRecord(node.config) ? node.config : {};
  for (const problem of module.checkConfig(config)) fail(`config: ${problem}`);
  if (!isRecord(node.next)) return [...errors, { node: id, message: 'next must map outcomes to nodes' }];
  const outcomes = module.outcomes(config);
  const optional = module.optionalOutcomes?.(config) ?? [];
  for (const outcome of outcomes) {
    if (!(outcome in node.next) && !optional.includes(outcome)) fail(`outcome "${outcome}" is not routed`);
  }
  for (const [outcome, target] of Object.entries(node.next)) {
    if (!outcomes.includes(outcome)) fail(`"${outcome}" is not an outcome of ${node.type} (${outcomes.join(', ')})`);
    if (typeof target !== 'string' || !(ids.has(target) || (TERMINALS as readonly string[]).includes(target))) {
      fail(`outcome "${outcome}" goes to unknown node "${String(target)}"`);
    }
  }
  if (node.remember !== undefined) {
    const r = node.remember as unknown;
    if (!isRecord(r) || !['session', 'cookie', 'none'].includes(String(r.in)) || typeof r.for !== 'string' || !isDuration(r.for)) {
      fail('remember must be { "in": "session"|"cookie"|"none", "for": duration such as "12h" }');
    }
  }
  return errors;
}

function reachable(tree: Tree): Set<string> {
  const seen = new Set<string>();
  const queue = [tree.start];
  while (queue.length > 0) {
    const id = queue.pop()!;
    const node = tree.nodes[id];
    if (seen.has(id) || !node) continue;
    seen.add(id);
    queue.push(...Object.values(node.next ?? {}));
  }
  return seen;
}

export function validateTree(raw: unknown, catalog: ModuleCatalog): TreeCheck {
  if (!isRecord(raw)) return { ok: false, errors: [{ message: 'a tree must be a JSON object' }] };
  const errors: TreeError[] = [];
  if (typeof raw.name !== 'string' || !NAME.test(raw.name)) errors.push({ message: 'name must be lower-case letters, digits and dashes' });
  if (raw.acr !== undefined && (typeof raw.acr !== 'string' || raw.acr.length > 200)) errors.push({ message: 'acr must be a string' });
  if (raw.internal !== undefined && typeof raw.internal !== 'boolean') errors.push({ message: 'internal must be true or false' });
  if (!isRecord(raw.nodes)) return { ok: false, errors: [...errors, { message: 'nodes must be an object' }] };
  const ids = new Set(Object.keys(raw.nodes));
  if (ids.size === 0 || ids.size > MAX_NODES) errors.push({ message: `a tree has 1 to ${MAX_NODES} nodes` });
  if (typeof raw.start !== 'string' || !ids.has(raw.start)) errors.push({ message: `start "${String(raw.start)}" is not a node of the tree` });
  for (const [id, node] of Object.entries(raw.nodes)) errors.push(...checkNode(id, node, ids, catalog));
  if (errors.length > 0) return { ok: false, errors };
  const tree = raw as unknown as Tree;
  const live = reachable(tree);
  for (const id of ids) if (!live.has(id)) errors.push({ node: id, message: 'node is unreachable from start' });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, tree };
}

/** The tree with every unrouted optional outcome sent to `failure`: what a journey runs. */
export function routeOptionalOutcomes(tree: Tree, catalog: ModuleCatalog): Tree {
  const nodes = Object.fromEntries(Object.entries(tree.nodes).map(([id, node]) => {
    const optional = catalog[node.type]?.optionalOutcomes?.(node.config ?? {}) ?? [];
    const missing = optional.filter((o) => !(o in node.next));
    return [id, missing.length ? { ...node, next: { ...node.next, ...Object.fromEntries(missing.map((o) => [o, 'failure'])) } } : node];
  }));
  return { ...tree, nodes };
}

export function formatTreeErrors(errors: TreeError[]): string {
  return errors.map((e) => (e.node ? `node "${e.node}": ${e.message}` : e.message)).join('; ');
}
