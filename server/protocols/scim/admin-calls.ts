// SCIM writes are management operations (server/api/admin/catalogue.ts) run for the SCIM token's
// principal: the same validation, the same code, the same audit events (actor `scim:<name>`) as
// the admin API and the CLI. Their refusals come back as ScimErrors (scim-http.ts).
import type { Client } from '@temporalio/client';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { recordAudit } from '../../../core/infra/audit.ts';
import { setExternalId } from '../../../core/scim/scim-store.ts';
import { CATALOGUE } from '../../api/admin/catalogue.ts';
import { execute, type RawInput } from '../../api/admin/execute.ts';
import type { AdminPrincipal } from '../../api/admin/principal.ts';
import { HttpError } from '../../http-error.ts';
import { fromHttpError } from './scim-http.ts';

export interface ScimDeps { db: Db; config: Config; temporal: Client }

export interface ScimCaller { deps: ScimDeps; tenant: string; principal: AdminPrincipal }

/** Runs management operation `id` (e.g. `users.update`). @throws ScimError for its refusals. */
export async function callAdmin<T = any>(caller: ScimCaller, id: string, raw: Omit<RawInput, 'tenant' | 'ifMatch'>): Promise<T> {
  const op = CATALOGUE.get(id);
  if (!op) throw new Error(`no management operation "${id}"`);
  const { db, config, temporal } = caller.deps;
  try {
    const outcome = await execute(op, { ...raw, tenant: caller.tenant }, { db, config, temporal: async () => temporal }, caller.principal, CATALOGUE);
    return outcome.body as T;
  } catch (err) {
    throw err instanceof HttpError ? fromHttpError(err) : err;
  }
}

/**
 * Sets (null: clears) the externalId of a user or group: SCIM's own data, so not a management
 * operation, but audited the same way (`scim.<type>.external-id`, actor the SCIM token).
 */
export async function saveExternalId(caller: ScimCaller, type: 'User' | 'Group', id: string, externalId: string | null): Promise<void> {
  await setExternalId(caller.deps.db, caller.tenant, type, id, externalId);
  await recordAudit(caller.deps.db, {
    tenant: caller.tenant, type: `scim.${type === 'User' ? 'users' : 'groups'}.external-id`, actor: caller.principal.actor, subject: id,
    data: { externalId },
  });
}
