// Which tree of a tenant achieves an ACR: the tree whose `acr` equals it. Rules: trees that are
// not sign-in journeys (registration, recovery, link-sign-in) never count; when several trees
// claim one ACR, `login` wins, then the first by name. The tenant's trees are cached for a few
// seconds (every authorization request with acr_values asks).
import type { Db } from '../../../core/infra/db.ts';
import { listTrees } from '../../../core/journeys/trees.ts';

const NOT_SIGN_IN = new Set(['registration', 'recovery', 'link-sign-in']);
const TTL_MS = 5000;

type AcrIndex = Map<string, string>;

export interface AcrTrees {
  /** The tree for the first of `acrValues` that one achieves, with that ACR. */
  treeFor(tenant: string, acrValues: readonly string[]): Promise<{ tree: string; acr: string } | undefined>;
}

function rank(name: string): string {
  return name === 'login' ? '' : name;
}

export function acrTrees(db: Db): AcrTrees {
  const cache = new Map<string, { index: Promise<AcrIndex>; until: number }>();

  async function load(tenant: string): Promise<AcrIndex> {
    const index: AcrIndex = new Map();
    const trees = (await listTrees(db, tenant)).filter((t) => t.tree.acr && !NOT_SIGN_IN.has(t.name));
    trees.sort((a, b) => rank(a.name).localeCompare(rank(b.name)));
    for (const { name, tree } of trees) if (!index.has(tree.acr!)) index.set(tree.acr!, name);
    return index;
  }

  return {
    async treeFor(tenant, acrValues) {
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
        const tree = index.get(acr);
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
