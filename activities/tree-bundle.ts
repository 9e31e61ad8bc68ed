// The snapshot of trees a journey runs: the latest version of its tree, validated and with
// optional outcomes routed, plus every tree its nodes run (the `tree` module), each validated the
// same way. A journey keeps this snapshot for its whole life, so a tree changed meanwhile only
// affects journeys started after. Loaded by the server as it starts a journey (and handed to the
// journey in its input) or, for a journey started without one, by the journey's loadTree activity.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../core/infra/db.ts';
import { getTree, type StoredTree } from '../core/journeys/trees.ts';
import type { Tree, TreeBundle } from '../core/journeys/tree-types.ts';
import { formatTreeErrors, routeOptionalOutcomes, validateTree } from '../workflows/tree/validate.ts';
import { moduleCatalog } from './registry.ts';

/** Inner trees nest at most this deep: deeper means a cycle or a mistake. */
const MAX_NESTING = 5;

/** Reads the latest version of a tree; the server's start check passes one that remembers its reads. */
export type TreeReader = (name: string) => Promise<StoredTree | undefined>;

async function load(read: TreeReader, name: string): Promise<Tree> {
  const stored = await read(name);
  if (!stored) throw ApplicationFailure.nonRetryable(`no tree "${name}"`, 'TreeNotFound');
  const check = validateTree(stored.tree, moduleCatalog);
  if (!check.ok) throw ApplicationFailure.nonRetryable(formatTreeErrors(check.errors), 'BadTree');
  return routeOptionalOutcomes(stored.tree, moduleCatalog);
}

/**
 * The latest version of tree `name` and of every tree it runs.
 * @throws ApplicationFailure (non-retryable) TreeNotFound, or BadTree naming what is wrong (a cycle too).
 */
export async function loadTreeBundle(db: Db, tenant: string, name: string, read: TreeReader = (n) => getTree(db, tenant, n)): Promise<TreeBundle> {
  const root = await load(read, name);
  const inner: Record<string, Tree> = {};
  const visit = async (tree: Tree, path: string[]): Promise<void> => {
    for (const node of Object.values(tree.nodes)) {
      for (const innerName of moduleCatalog[node.type]?.innerTrees?.(node.config ?? {}) ?? []) {
        if (path.includes(innerName) || path.length > MAX_NESTING) {
          throw ApplicationFailure.nonRetryable(`tree "${innerName}" runs itself (${[...path, innerName].join(' → ')})`, 'BadTree');
        }
        if (!inner[innerName]) inner[innerName] = await load(read, innerName);
        await visit(inner[innerName]!, [...path, innerName]);
      }
    }
  };
  await visit(root, [root.name]);
  return Object.keys(inner).length > 0 ? { ...root, inner } : root;
}
