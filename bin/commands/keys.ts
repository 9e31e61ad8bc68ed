// tessera keys rotate|list --tenant T [--grace 24h] — the tenant's token signing keys, through the
// management API's operations (server/api/admin/resources/keys.ts).
// `rotate` makes new active keys (ES256, RS256, PS256, EdDSA); the old ones stay published for
// the grace period so that tokens they signed keep verifying. Running servers pick the new keys
// up within seconds (server/protocols/oidc/provider-cache.ts). Rotations are audit events.
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printRows } from '../cli-output.ts';

interface KeyJson { kid: string; alg: string; status: string; createdAt: string; publishUntil: string | null }

const row = (k: KeyJson) => ({ kid: k.kid, alg: k.alg, status: k.status, created: k.createdAt, published_until: k.publishUntil });

async function allKeys(db: Db, tenant: string): Promise<KeyJson[]> {
  const items: KeyJson[] = [];
  let cursor: string | undefined;
  do {
    const result = await runOperation<{ items: KeyJson[]; next: string | null }>(db, 'keys.list', { tenant, query: { limit: 200, cursor } });
    items.push(...result.items);
    cursor = result.next ?? undefined;
  } while (cursor);
  return items;
}

export async function keysCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'rotate': {
      const body = flags.grace !== undefined ? { grace: flags.grace } : {};
      const { items } = await runOperation<{ items: KeyJson[] }>(db, 'keys.rotate', { tenant, body });
      printRows(items.map(row), flags.json);
      return;
    }
    case 'list':
      printRows((await allKeys(db, tenant)).map(row), flags.json);
      return;
    default:
      throw new UsageError(`unknown command "keys ${verb}" (rotate, list)`);
  }
}
