// What changed between two versions of a tree, for people reviewing an import: the start node and
// the ACR, nodes added and removed, and for each node in both the fields that differ (`type`,
// `remember`, each `config.<key>` and each `next.<outcome>`). Pure; values compared as canonical
// JSON (key order does not matter). A field absent on one side is `null` there.
import type { Tree } from './tree-types.ts';

export interface FieldChange { field: string; from: unknown; to: unknown }
export interface NodeChange { node: string; fields: FieldChange[] }
export interface TreeDiff {
  start: { from: string; to: string } | null;
  acr: { from: string | null; to: string | null } | null;
  added: { node: string; type: string }[];
  removed: { node: string; type: string }[];
  changed: NodeChange[];
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** Changes of the keys of two records, as `<prefix>.<key>` fields, keys in sorted order. */
function recordChanges(prefix: string, from: Record<string, unknown> = {}, to: Record<string, unknown> = {}): FieldChange[] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return keys.filter((k) => !same(from[k], to[k])).map((k) => ({ field: `${prefix}.${k}`, from: from[k] ?? null, to: to[k] ?? null }));
}

export function diffTrees(from: Tree, to: Tree): TreeDiff {
  const before = Object.keys(from.nodes);
  const after = Object.keys(to.nodes);
  const changed: NodeChange[] = [];
  for (const id of after.filter((n) => n in from.nodes).sort()) {
    const a = from.nodes[id]!;
    const b = to.nodes[id]!;
    const fields: FieldChange[] = [];
    if (a.type !== b.type) fields.push({ field: 'type', from: a.type, to: b.type });
    fields.push(...recordChanges('config', a.config, b.config));
    fields.push(...recordChanges('next', a.next, b.next));
    if (!same(a.remember, b.remember)) fields.push({ field: 'remember', from: a.remember ?? null, to: b.remember ?? null });
    if (fields.length > 0) changed.push({ node: id, fields });
  }
  return {
    start: from.start === to.start ? null : { from: from.start, to: to.start },
    acr: (from.acr ?? null) === (to.acr ?? null) ? null : { from: from.acr ?? null, to: to.acr ?? null },
    added: after.filter((n) => !(n in from.nodes)).sort().map((node) => ({ node, type: to.nodes[node]!.type })),
    removed: before.filter((n) => !(n in to.nodes)).sort().map((node) => ({ node, type: from.nodes[node]!.type })),
    changed,
  };
}
