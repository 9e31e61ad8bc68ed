// tessera services register|list|unregister --tenant T [--name N]
// Services of the legacy login protocol (what may call /account/v1.0/authenticate), through the
// management API's operations (server/api/admin/resources/services.ts). `register` prints the
// service token once: only its sha256 is kept, so a lost token means unregistering and
// registering again. Registering and unregistering are audit events.
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

interface ServiceJson { id: string; name: string; createdAt: string }
type Page = { items: ServiceJson[]; next: string | null };

const row = (s: ServiceJson) => ({ name: s.name, id: s.id, created: s.createdAt });

async function allServices(db: Db, tenant: string, name?: string): Promise<ServiceJson[]> {
  const items: ServiceJson[] = [];
  let cursor: string | undefined;
  do {
    const result = await runOperation<Page>(db, 'services.list', { tenant, query: { limit: 200, cursor, name } });
    items.push(...result.items);
    cursor = result.next ?? undefined;
  } while (cursor);
  return items;
}

export async function servicesCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'register': {
      const service = await runOperation<ServiceJson & { token: string }>(db, 'services.create', { tenant, body: { name: required(flags, 'name') } });
      if (flags.json) printOne({ ...row(service), token: service.token }, true);
      else console.log(`${service.token}\n(service token of "${service.name}" in tenant "${tenant}": shown once, store it now)`);
      return;
    }
    case 'list':
      printRows((await allServices(db, tenant)).map(row), flags.json);
      return;
    case 'unregister': {
      const name = required(flags, 'name');
      const [service] = await allServices(db, tenant, name);
      if (!service) throw new Error(`no service named "${name}" in tenant "${tenant}"`);
      await runOperation(db, 'services.delete', { tenant, params: { id: service.id } });
      printOne({ name, status: 'unregistered' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "services ${verb}" (register, list, unregister)`);
  }
}
