// tessera scim-tokens create|list|revoke --tenant T [--name N] — clients of the management
// operations scim-tokens.create|list|revoke. `create` prints the token once: only its sha256 is
// kept, so a lost token is revoked and replaced, never shown again.
import type { Db } from '../../core/infra/db.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

interface TokenJson { id: string; name: string; status: string; createdAt: string; lastUsedAt: string | null }

const row = (t: TokenJson) => ({ name: t.name, id: t.id, created: t.createdAt, lastUsed: t.lastUsedAt, status: t.status });

export async function scimTokensCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  switch (verb) {
    case 'create': {
      const created = await runOperation<TokenJson & { token: string }>(db, 'scim-tokens.create', { tenant, body: { name: required(flags, 'name') } });
      if (flags.json) printOne({ ...row(created), token: created.token }, true);
      else console.log(`${created.token}\n(SCIM token "${created.name}" of tenant "${tenant}" for /t/${tenant}/scim/v2: shown once, store it now)`);
      return;
    }
    case 'list': {
      const { items } = await runOperation<{ items: TokenJson[] }>(db, 'scim-tokens.list', { tenant, query: { limit: '200' } });
      printRows(items.map(row), flags.json);
      return;
    }
    case 'revoke': {
      const name = required(flags, 'name');
      await runOperation(db, 'scim-tokens.revoke', { tenant, params: { name } });
      printOne({ name, status: 'revoked' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "scim-tokens ${verb}" (create, list, revoke)`);
  }
}
