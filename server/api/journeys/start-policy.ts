// Where every journey starts (Journey API, OIDC, SAML, legacy login, followed links): the tree
// must exist (default trees added after the tenant are stored on first use) and the start must be
// allowed by core/journeys/journey-policy.ts — no internal tree alone, no signup tree outside a
// registration, no registration while the tenant has it off. The trees read for that check are
// also the journey's tree snapshot (activities/tree-bundle.ts), handed to the journey in its input
// so that it need not read them again.
import { ApplicationFailure } from '@temporalio/common';
import { loadTreeBundle, type TreeReader } from '../../../activities/tree-bundle.ts';
import type { Db } from '../../../core/infra/db.ts';
import { lateDefaultTrees } from '../../../core/journeys/default-trees.ts';
import { innerTreeNames, startRefusal, unknownTree, type StartFacts } from '../../../core/journeys/journey-policy.ts';
import type { JourneyKind } from '../../../core/journeys/journey-types.ts';
import type { Tree, TreeBundle } from '../../../core/journeys/tree-types.ts';
import { ensureDefaultTree, getTree, type StoredTree } from '../../../core/journeys/trees.ts';
import { getRegistrationSettings } from '../../../core/registration/registration-settings.ts';
import { HttpError } from '../../http-error.ts';

/** Inner trees are followed this deep at most (the journey refuses deeper nesting anyway). */
const MAX_DEPTH = 6;

async function innerTrees(read: TreeReader, root: Tree): Promise<Tree[]> {
  const found = new Map<string, Tree>();
  let names = innerTreeNames(root);
  for (let depth = 0; depth < MAX_DEPTH && names.length > 0; depth++) {
    const next: string[] = [];
    for (const name of names) {
      if (found.has(name) || name === root.name) continue;
      const stored = await read(name);
      if (!stored) continue;
      found.set(name, stored.tree);
      next.push(...innerTreeNames(stored.tree));
    }
    names = next;
  }
  return [...found.values()];
}

/** Reads each tree once: the start check and the snapshot see the same versions. */
function rememberingReader(db: Db, tenant: string): TreeReader {
  const seen = new Map<string, Promise<StoredTree | undefined>>();
  return (name) => {
    let read = seen.get(name);
    if (!read) seen.set(name, read = getTree(db, tenant, name));
    return read;
  };
}

/**
 * Checks that a journey of `kind` may start on the tenant's tree `name`, and answers the tree
 * snapshot the journey will run (for JourneyInput.bundle) — undefined when the trees do not
 * validate: the journey then loads them itself and fails, naming what is wrong, as before.
 * @throws HttpError 400 (`unknown_tree`, `tree_not_allowed`) or 403 (`registration_disabled`).
 */
export async function checkJourneyStart(db: Db, tenant: string, kind: JourneyKind, name: string, facts: Pick<StartFacts, 'stepUp'> = {}): Promise<TreeBundle | undefined> {
  const refuse = (r: { status: number; code: string; message: string }) => new HttpError(r.status, r.code, r.message);
  // Default trees added after the tenant are stored on first use; any other tree must exist.
  if (lateDefaultTrees.some((t) => t.name === name)) await ensureDefaultTree(db, tenant, name);
  const read = rememberingReader(db, tenant);
  const root = (await read(name))?.tree;
  if (!root) throw refuse(unknownTree(name));
  // Only a registration's start is refused by the setting: no other start reads it (one statement fewer per login).
  const registrationEnabled = kind === 'registration' && (await getRegistrationSettings(db, tenant)).enabled;
  const refusal = startRefusal(kind, root, await innerTrees(read, root), { registrationEnabled, ...facts });
  if (refusal) throw refuse(refusal);
  try {
    return await loadTreeBundle(db, tenant, name, read);
  } catch (err) {
    if (err instanceof ApplicationFailure) return undefined;
    throw err;
  }
}
