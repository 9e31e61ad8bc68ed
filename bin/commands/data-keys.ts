// tessera data-keys status|rotate [--tenant T] [--json] — the keys sealing secrets at rest
// (TESSERA_DATA_KEYS, else derived from the codec keys; core/infra/data-keys.ts).
// `status` counts the stored secrets per column and key id (and those still in plaintext), reading
// no secret; it fails, naming them, when values are sealed under key ids this process lacks.
// `rotate` re-seals every secret not under the current (first) key, reports how many per column,
// and fails naming the key ids of values it could not open (those stay as they were). Rotation:
// put the new key first in TESSERA_DATA_KEYS on every process, keep the old ones, run `rotate`,
// check `status`, then drop the old keys. A rotation is an audit event (`admin.data-keys.rotate`,
// actor cli:<os user>) in the tenant named, or in every tenant without --tenant; it names the new
// key id and counts, never a secret.
import { recordAudit } from '../../core/infra/audit.ts';
import type { Db } from '../../core/infra/db.ts';
import { dataKeyring } from '../../core/infra/data-keys.ts';
import { resealSecrets, secretsStatus, unknownKeyIds } from '../../core/infra/seal-stored-secrets.ts';
import { listTenants } from '../../core/tenants/tenants.ts';
import { cliActor } from '../admin-operations.ts';
import { UsageError, type Flags } from '../cli-args.ts';
import { printRows } from '../cli-output.ts';

const missingKeys = (ids: Record<string, number>) =>
  `stored secrets are sealed with data keys this process does not have: ${Object.entries(ids).map(([id, n]) => `"${id}" (${n})`).join(', ')}`;

async function status(db: Db, tenant: string | undefined, json: boolean | undefined): Promise<void> {
  const keyring = dataKeyring();
  const columns = await secretsStatus(db, { tenant });
  const rows = columns.flatMap((c) => [
    ...(c.plaintext ? [{ secrets: c.name, place: c.place, key: null, values: c.plaintext, state: 'plaintext' }] : []),
    ...Object.entries(c.byKey).map(([key, values]) => ({
      secrets: c.name, place: c.place, key, values,
      state: key === keyring.currentKeyId ? 'current' : keyring.has(key) ? 'old' : 'missing',
    })),
  ]);
  printRows(rows, json);
  const unknown = unknownKeyIds(columns, keyring);
  if (Object.keys(unknown).length > 0) throw new Error(missingKeys(unknown));
}

async function rotate(db: Db, tenant: string | undefined, json: boolean | undefined): Promise<void> {
  const keyring = dataKeyring();
  const reports = await resealSecrets(db, keyring, { tenant });
  printRows(reports.map((r) => ({ secrets: r.name, place: r.place, resealed: r.sealed, key: keyring.currentKeyId })), json);
  const failed: Record<string, number> = {};
  for (const r of reports) for (const [id, n] of Object.entries(r.failed)) failed[id] = (failed[id] ?? 0) + n;
  const data = {
    key: keyring.currentKeyId, scope: tenant ? 'tenant' : 'all',
    resealed: reports.reduce((n, r) => n + r.sealed, 0), failed: Object.values(failed).reduce((n, f) => n + f, 0),
  };
  for (const t of tenant ? [tenant] : (await listTenants(db)).map((x) => x.id)) {
    await recordAudit(db, { tenant: t, type: 'admin.data-keys.rotate', actor: cliActor(), data });
  }
  if (Object.keys(failed).length > 0) throw new Error(`${missingKeys(failed)}, or they do not open with them; those were left as they are`);
}

export async function dataKeysCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = flags.tenant as string | undefined;
  switch (verb) {
    case 'status': return status(db, tenant, flags.json);
    case 'rotate': return rotate(db, tenant, flags.json);
    default: throw new UsageError(`unknown command "data-keys ${verb}" (status, rotate)`);
  }
}
