// tessera tenants create <id> [--name N] | list
import type { Db } from '../../core/infra/db.ts';
import { createTenant, listTenants, type Tenant } from '../../core/tenants/tenants.ts';
import { UsageError, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

const row = (t: Tenant) => ({ id: t.id, name: t.name, created: t.createdAt });

export async function tenantsCommand(db: Db, verb: string, args: string[], flags: Flags): Promise<void> {
  switch (verb) {
    case 'create': {
      const id = args[0] ?? flags.id;
      if (!id) throw new UsageError('usage: tessera tenants create <id> [--name "Display name"]');
      printOne(row(await createTenant(db, id, flags.name ?? id)), flags.json);
      return;
    }
    case 'list':
      printRows((await listTenants(db)).map(row), flags.json);
      return;
    default:
      throw new UsageError(`unknown command "tenants ${verb}" (create, list)`);
  }
}
