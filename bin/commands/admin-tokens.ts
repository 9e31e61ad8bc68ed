// tessera admin-tokens create|list|revoke --tenant T [--name N]
// Bearer tokens of the tenant's admin API. `create` prints the token once: only its sha256 is
// kept, so a lost token is revoked and replaced, never shown again. Creating and revoking are
// audit events.
import { recordAudit } from '../../core/infra/audit.ts';
import { createAdminToken, listAdminTokens, revokeAdminToken, type AdminToken } from '../../core/accounts/admin-tokens.ts';
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

const row = (t: AdminToken) => ({
  name: t.name, id: t.id, created: t.createdAt, lastUsed: t.lastUsedAt, status: t.revokedAt ? 'revoked' : 'active',
});

export async function adminTokensCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'create': {
      const created = await createAdminToken(db, tenant, required(flags, 'name'));
      await recordAudit(db, { tenant, type: 'admin_token.created', actor: 'cli', data: { name: created.name, id: created.id } });
      if (flags.json) printOne({ ...row(created), token: created.token }, true);
      else console.log(`${created.token}\n(admin token "${created.name}" of tenant "${tenant}": shown once, store it now)`);
      return;
    }
    case 'list':
      printRows((await listAdminTokens(db, tenant)).map(row), flags.json);
      return;
    case 'revoke': {
      const name = required(flags, 'name');
      if (!(await revokeAdminToken(db, tenant, name))) throw new Error(`no active admin token named "${name}" in tenant "${tenant}"`);
      await recordAudit(db, { tenant, type: 'admin_token.revoked', actor: 'cli', data: { name } });
      printOne({ name, status: 'revoked' }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "admin-tokens ${verb}" (create, list, revoke)`);
  }
}
