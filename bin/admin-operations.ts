// The CLI as a client of the management API's operations (server/api/admin/catalogue.ts): the
// same input checks, the same code, the same audit events, run in-process against the database
// with the rights of whoever holds the host (a super-admin, recorded as `cli:<os user>`).
// Temporal is connected only when an operation asks for it.
import { userInfo } from 'node:os';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../core/infra/config.ts';
import { servePublicUrl } from '../core/tenants/tenant-ui.ts';
import type { Db } from '../core/infra/db.ts';
import { getTenant } from '../core/tenants/tenants.ts';
import { CATALOGUE } from '../server/api/admin/catalogue.ts';
import { execute, type RawInput } from '../server/api/admin/execute.ts';
import type { AdminPrincipal } from '../server/api/admin/principal.ts';
import { HttpError } from '../server/http-error.ts';
import { connectCliTemporal } from './runtime/cli-temporal.ts';
import { UsageError } from './cli-args.ts';

/** `cli:<os user>`: who did what the CLI does, in audit events. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export const cliPrincipal = (): AdminPrincipal => ({ actor: cliActor(), grants: [{ role: 'super-admin', tenant: '*' }] });

/**
 * Runs operation `id` (e.g. `users.update`) and returns its answer.
 * @throws UsageError for input the operation refuses (400), Error with the API's message otherwise.
 */
export async function runOperation<T = any>(db: Db, id: string, raw: RawInput): Promise<T> {
  const op = CATALOGUE.get(id);
  if (!op) throw new Error(`no management operation "${id}"`);
  if (op.scope === 'tenant' && !(raw.tenant && (await getTenant(db, raw.tenant)))) throw new Error(`no tenant "${raw.tenant ?? ''}"`);
  const config = loadConfig();
  // The CLI refuses what the server would: a login UI URL on another site than PUBLIC_URL.
  servePublicUrl(config.publicUrl);
  let temporal: Promise<Client> | undefined;
  try {
    const outcome = await execute(op, raw, { db, config, temporal: () => (temporal ??= connectCliTemporal(config)) }, cliPrincipal(), CATALOGUE);
    return outcome.body as T;
  } catch (err) {
    if (err instanceof HttpError) {
      // The CLI's one-line style: `tessera: no such user`, not `tessera: No such user.`
      const message = err.message.replace(/\.$/, '').replace(/^[A-Z](?=[a-z ])/, (c) => c.toLowerCase());
      throw err.status === 400 ? new UsageError(message) : new Error(message);
    }
    throw err;
  } finally {
    if (temporal) await (await temporal.catch(() => undefined))?.connection.close();
  }
}
