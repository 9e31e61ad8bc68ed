// tessera keys rotate|list --tenant T [--grace 24h] — the tenant's token signing keys.
// `rotate` makes new active keys (ES256, RS256, PS256, EdDSA); the old ones stay published for
// the grace period so that tokens they signed keep verifying. Running servers pick the new keys
// up within seconds (server/protocols/oidc/provider-cache.ts). Rotations are audit events.
import { recordAudit } from '../../core/infra/audit.ts';
import type { Db } from '../../core/infra/db.ts';
import { parseDuration } from '../../core/infra/duration.ts';
import { DEFAULT_KEY_GRACE_MS, listSigningKeys, rotateSigningKeys, type SigningKeyInfo } from '../../core/oidc/signing-keys.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printRows } from '../cli-output.ts';

const row = (k: SigningKeyInfo) => ({ kid: k.kid, alg: k.alg, status: k.status, created: k.createdAt, published_until: k.publishUntil });

export async function keysCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'rotate': {
      let grace = DEFAULT_KEY_GRACE_MS;
      if (flags.grace !== undefined) {
        try {
          grace = parseDuration(flags.grace);
        } catch (err) {
          throw new UsageError(`--grace: ${(err as Error).message}`);
        }
      }
      const keys = await rotateSigningKeys(db, tenant, grace);
      const active = keys.filter((k) => k.status === 'active');
      await recordAudit(db, { tenant, type: 'keys.rotated', actor: 'cli', data: { kids: active.map((k) => k.kid), graceMs: grace } });
      printRows(keys.map(row), flags.json);
      return;
    }
    case 'list':
      printRows((await listSigningKeys(db, tenant)).map(row), flags.json);
      return;
    default:
      throw new UsageError(`unknown command "keys ${verb}" (rotate, list)`);
  }
}
