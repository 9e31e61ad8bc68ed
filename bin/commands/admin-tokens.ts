// tessera admin-tokens create|list|revoke --tenant T [--name N] [--role R] — clients of the
// management operations admin-tokens.create|list|revoke. `create` prints the token once: only its
// sha256 is kept, so a lost token is revoked and replaced, never shown again. A token holds one
// role (tenant-admin unless --role says approver, auditor or super-admin).
import type { Db } from '../../core/infra/db.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';
import { allPages } from './users.ts';

interface TokenJson { id: string; name: string; role: string; status: string; createdAt: string; lastUsedAt: string | null }

const row = (t: TokenJson) => ({ name: t.name, id: t.id, role: t.role, created: t.createdAt, lastUsed: t.lastUsedAt, status: t.status });

export async function adminTokensCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  switch (verb) {
    case 'create': {
      const body = { name: required(flags, 'name'), ...(flags.role ? { role: flags.role } : {}) };
      const created = await runOperation<TokenJson & { token: string }>(db, 'admin-tokens.create', { tenant, body });
      if (flags.json) printOne({ ...row(created), token: created.token }, true);
      else console.log(`${created.token}\n(${created.role} token "${created.name}" of tenant "${tenant}": shown once, store it now)`);
      return;
    }
    case 'list': {
      const items = await allPages<TokenJson>(db, 'admin-tokens.list', tenant);
      printRows(items.map(row), flags.json);
      return;
    }
    case 'revoke': {
      const name = required(flags, 'name');
      await runOperation(db, 'admin-tokens.revoke', { tenant, params: { name } });
      printOne({ name, status: 'revoked' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "admin-tokens ${verb}" (create, list, revoke)`);
  }
}
