// Which tree of a tenant achieves an ACR: the tree whose `acr` equals it. Rules: trees that are
// not sign-in journeys (registration, recovery, link-sign-in, the account console's account-*)
// never count; when several trees
// claim one ACR, `login` wins, then the first by name. An internal tree (e.g. `mfa`: second
// factors only, core/journeys/journey-policy.ts) achieves its ACR only as a step-up of a
// signed-in user, where it is preferred (it asks only what is missing); without a session the
// ACR needs a tree that signs the user in first (`login-mfa` by default). Default trees a tenant
// has not stored yet count as stored (they are stored when a journey starts on them). The
// tenant's trees are cached for a few seconds (every authorization request with acr_values asks).
import type { Db } from '../../../core/infra/db.ts';
import { lateDefaultTrees } from '../../../core/journeys/default-trees.ts';
import { isAccountTree, isInternalTree } from '../../../core/journeys/journey-policy.ts';
import type { Tree } from '../../../core/journeys/tree-types.ts';
import { listTrees } from '../../../core/journeys/trees.ts';

const NOT_SIGN_IN = new Set(['registration', 'recovery', 'link-sign-in']);
const TTL_MS = 5000;

type AcrIndex = Map<string, { standalone?: string; internal?: string }>;

export interface AcrTrees {
  /**
   * The tree for the first of `acrValues` that one achieves, with that ACR. `stepUp`: for a
   * signed-in user (internal trees count, and are preferred).
   */
  treeFor(tenant: string, acrValues: readonly string[], options?: { stepUp?: boolean }): Promise<{ tree: string; acr: string } | undefined>;
}

function rank(name: string): string {
  return name === 'login' ? '' : name;
}

export function acrTrees(db: Db): AcrTrees {
  const cache = new Map<string, { index: Promise<AcrIndex>; until: number }>();

  async function load(tenant: string): Promise<AcrIndex> {
    const index: AcrIndex = new Map();
    const stored = (await listTrees(db, tenant)).map((t) => t.tree);
    const missing = lateDefaultTrees.filter((d) => !stored.some((t) => t.name === d.name));
    const trees: Tree[] = [...stored, ...missing].filter((t) => t.acr && !NOT_SIGN_IN.has(t.name) && !isAccountTree(t));
    trees.sort((a, b) => rank(a.name).localeCompare(rank(b.name)));
    for (const tree of trees) {
      const entry = index.get(tree.acr!) ?? {};
      const slot = isInternalTree(tree) ? 'internal' : 'standalone';
      entry[slot] ??= tree.name;
      index.set(tree.acr!, entry);
    }
    return index;
  }

  return {
    async treeFor(tenant, acrValues, options = {}) {
      if (acrValues.length === 0) return undefined;
      let hit = cache.get(tenant);
      if (!hit || hit.until < Date.now()) {
        hit = { index: load(tenant), until: Date.now() + TTL_MS };
        if (cache.size > 1000) cache.clear();
        cache.set(tenant, hit);
        hit.index.catch(() => cache.delete(tenant));
      }
      const index = await hit.index;
      for (const acr of acrValues) {
        const entry = index.get(acr);
        const tree = options.stepUp ? entry?.internal ?? entry?.standalone : entry?.standalone;
        if (tree) return { tree, acr };
      }
      return undefined;
    },
  };
}

const shared = new WeakMap<Db, AcrTrees>();

/** One cache per database handle, shared by the provider hooks and the interaction routes. */
export function sharedAcrTrees(db: Db): AcrTrees {
  let trees = shared.get(db);
  if (!trees) shared.set(db, (trees = acrTrees(db)));
  return trees;
}
