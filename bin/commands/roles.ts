// tessera roles grant|revoke|list --tenant T [--email E | --id ID] [--role R] — clients of the
// management operations roles.grant|revoke|list. A role is membership of the tenant's group that
// carries it; `super-admin` reaches every tenant.
import type { Db } from '../../core/infra/db.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';
import { allPages } from './users.ts';

interface GrantJson { role: string; userId: string; email: string | null; username: string; group: string }

async function userIdOf(db: Db, tenant: string, flags: Flags): Promise<string> {
  if (flags.id) return flags.id;
  if (!flags.email) throw new UsageError('name the user: --email or --id');
  const items = await allPages<GrantJson>(db, 'roles.list', tenant, {}, { role: required(flags, 'role') });
  const held = items.find((g) => g.email?.toLowerCase() === flags.email!.toLowerCase() || g.username === flags.email);
  if (!held) throw new Error(`${flags.email} does not hold the ${flags.role} role in tenant "${tenant}"`);
  return held.userId;
}

export async function rolesCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  switch (verb) {
    case 'grant': {
      const role = required(flags, 'role');
      if (!flags.email && !flags.id) throw new UsageError('name the user: --email or --id');
      const body = { role, ...(flags.id ? { userId: flags.id } : { email: flags.email }) };
      const granted = await runOperation<{ role: string; userId: string; granted: boolean }>(db, 'roles.grant', { tenant, body });
      printOne({ ...granted, status: granted.granted ? 'granted' : 'already held' }, flags.json);
      return;
    }
    case 'revoke': {
      const role = required(flags, 'role');
      const userId = await userIdOf(db, tenant, flags);
      await runOperation(db, 'roles.revoke', { tenant, params: { role, userId } });
      printOne({ role, userId, status: 'revoked' }, flags.json);
      return;
    }
    case 'list': {
      const items = await allPages<GrantJson>(db, 'roles.list', tenant, {}, flags.role ? { role: flags.role } : {});
      printRows(items.map((g) => ({ role: g.role, email: g.email, username: g.username, user_id: g.userId })), flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "roles ${verb}" (grant, revoke, list)`);
  }
}
