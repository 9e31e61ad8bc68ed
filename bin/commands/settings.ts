// tessera settings profile --tenant T [--required name,phone]
// Without --required it prints the current list; `--required ""` clears it.
// tessera settings registration --tenant T [--set '{"moderation":{"enabled":true}}']
// Prints the registration policy with its defaults; --set merges a JSON patch (one level deep).
// tessera settings legacy --tenant T [--allow URL-prefix]... [--ttl 30d]
// The legacy login protocol: where `next` may point (--allow replaces the list; `--allow ""`
// empties it) and how long user tokens live.
// tessera settings rate-limits --tenant T [--set '{"journeyStartsPerAddress":{"limit":100,"window":"1m"}}']
// Prints every limit with its defaults; --set changes the limits it names (null: back to the default).
// Each is a section of the tenant's settings, read and changed through the tenants operations
// (tenants.get, tenants.update): the same checks and audit events as the admin API.
import type { Db } from '../../core/infra/db.ts';
import type { LegacyPatch } from '../../core/legacy/legacy-settings.ts';
import type { TenantSettingsView } from '../../core/tenants/tenant-settings.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne } from '../cli-output.ts';
import { jsonObjectFlag } from './tenants.ts';

type Section = 'profile' | 'registration' | 'legacy' | 'rateLimits';

/** The section's settings, after applying `patch` when one is given. Messages name fields within the section. */
async function section<S extends Section>(db: Db, tenant: string, name: S, patch?: Record<string, unknown>): Promise<TenantSettingsView[S]> {
  try {
    const t = patch === undefined
      ? await runOperation<{ settings: TenantSettingsView }>(db, 'tenants.get', { params: { id: tenant } })
      : await runOperation<{ settings: TenantSettingsView }>(db, 'tenants.update', { params: { id: tenant }, body: { settings: { [name]: patch } } });
    return t.settings[name];
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message.replace(/(^|; )(?:body\.)?settings\.[a-zA-Z]+\./g, '$1'));
    throw err;
  }
}

export async function settingsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'profile': {
      const patch = flags.required === undefined ? undefined : { required: flags.required.split(',').map((k) => k.trim()).filter(Boolean) };
      printOne({ tenant, required: (await section(db, tenant, 'profile', patch)).required }, flags.json);
      return;
    }
    case 'registration': {
      const patch = flags.set === undefined ? undefined : jsonObjectFlag(flags.set, '--set');
      printOne({ tenant, ...await section(db, tenant, 'registration', patch) }, flags.json);
      return;
    }
    case 'legacy': {
      const patch: LegacyPatch = {};
      if (flags.allow !== undefined) patch.allowedNext = flags.allow.map((a) => a.trim()).filter(Boolean);
      if (flags.ttl !== undefined) patch.tokenTtl = flags.ttl;
      printOne({ tenant, ...await section(db, tenant, 'legacy', Object.keys(patch).length ? patch : undefined) }, flags.json);
      return;
    }
    case 'rate-limits': {
      const patch = flags.set === undefined ? undefined : jsonObjectFlag(flags.set, '--set');
      printOne({ tenant, ...await section(db, tenant, 'rateLimits', patch) }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "settings ${verb}" (profile, registration, legacy, rate-limits)`);
  }
}
