// tessera services register|list|unregister --tenant T [--name N]
// Services of the legacy login protocol: what may call /account/v1.0/authenticate. `register`
// prints the service token once: only its sha256 is kept, so a lost token means unregistering
// and registering again. Registering and unregistering are audit events.
import { recordAudit } from '../../core/infra/audit.ts';
import type { Db } from '../../core/infra/db.ts';
import { listServices, registerService, unregisterService, type LegacyService } from '../../core/legacy/legacy-services.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

const row = (s: LegacyService) => ({ name: s.name, id: s.id, created: s.createdAt });

export async function servicesCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'register': {
      const service = await registerService(db, tenant, required(flags, 'name'));
      await recordAudit(db, { tenant, type: 'legacy_service.registered', actor: 'cli', data: { name: service.name, id: service.id } });
      if (flags.json) printOne({ ...row(service), token: service.token }, true);
      else console.log(`${service.token}\n(service token of "${service.name}" in tenant "${tenant}": shown once, store it now)`);
      return;
    }
    case 'list':
      printRows((await listServices(db, tenant)).map(row), flags.json);
      return;
    case 'unregister': {
      const name = required(flags, 'name');
      if (!(await unregisterService(db, tenant, name))) throw new Error(`no service named "${name}" in tenant "${tenant}"`);
      await recordAudit(db, { tenant, type: 'legacy_service.unregistered', actor: 'cli', data: { name } });
      printOne({ name, status: 'unregistered' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "services ${verb}" (register, list, unregister)`);
  }
}
