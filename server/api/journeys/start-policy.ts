// Where every journey starts (Journey API, OIDC, SAML, legacy login, followed links): the tree
// must exist (default trees added after the tenant are stored on first use) and the start must be
// allowed by core/journeys/journey-policy.ts — no internal tree alone, no signup tree outside a
// registration, no registration while the tenant has it off.
import type { Db } from '../../../core/infra/db.ts';
import { innerTreeNames, startRefusal, unknownTree, type StartFacts } from '../../../core/journeys/journey-policy.ts';
import type { JourneyKind } from '../../../core/journeys/journey-types.ts';
import type { Tree } from '../../../core/journeys/tree-types.ts';
import { ensureDefaultTree, getTree } from '../../../core/journeys/trees.ts';
import { getRegistrationSettings } from '../../../core/registration/registration-settings.ts';
import { HttpError } from '../../http-error.ts';

/** Inner trees are followed this deep at most (the journey refuses deeper nesting anyway). */
const MAX_DEPTH = 6;

async function innerTrees(db: Db, tenant: string, root: Tree): Promise<Tree[]> {
  const found = new Map<string, Tree>();
  let names = innerTreeNames(root);
  for (let depth = 0; depth < MAX_DEPTH && names.length > 0; depth++) {
    const next: string[] = [];
    for (const name of names) {
      if (found.has(name) || name === root.name) continue;
      const stored = await getTree(db, tenant, name);
      if (!stored) continue;
      found.set(name, stored.tree);
      next.push(...innerTreeNames(stored.tree));
    }
    names = next;
  }
  return [...found.values()];
}

/**
 * Checks that a journey of `kind` may start on the tenant's tree `name`.
 * @throws HttpError 400 (`unknown_tree`, `tree_not_allowed`) or 403 (`registration_disabled`).
 */
export async function checkJourneyStart(db: Db, tenant: string, kind: JourneyKind, name: string, facts: Pick<StartFacts, 'stepUp'> = {}): Promise<void> {
  const refuse = (r: { status: number; code: string; message: string }) => new HttpError(r.status, r.code, r.message);
  if (!(await ensureDefaultTree(db, tenant, name))) throw refuse(unknownTree(name));
  const root = (await getTree(db, tenant, name))!.tree;
  const { enabled } = await getRegistrationSettings(db, tenant);
  const refusal = startRefusal(kind, root, await innerTrees(db, tenant, root), { registrationEnabled: enabled, ...facts });
  if (refusal) throw refuse(refusal);
}
