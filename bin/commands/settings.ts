// tessera settings profile --tenant T [--required name,phone]
// Without --required it prints the current list; `--required ""` clears it.
// tessera settings registration --tenant T [--set '{"moderation":{"enabled":true}}']
// Prints the registration policy with its defaults; --set merges a JSON patch (one level deep).
// tessera settings legacy --tenant T [--allow URL-prefix]... [--ttl 30d]
// The legacy login protocol: where `next` may point (--allow replaces the list; `--allow ""`
// empties it) and how long user tokens live.
import type { Db } from '../../core/infra/db.ts';
import { getRequiredAttributes, setRequiredAttributes } from '../../core/accounts/profile.ts';
import { getRegistrationSettings, updateRegistrationSettings } from '../../core/registration/registration-settings.ts';
import { getLegacySettings, updateLegacySettings, type LegacySettings } from '../../core/legacy/legacy-settings.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne } from '../cli-output.ts';

export async function settingsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'profile': {
      const keys = flags.required === undefined
        ? await getRequiredAttributes(db, tenant)
        : await setRequiredAttributes(db, tenant, flags.required.split(',').map((k) => k.trim()).filter(Boolean));
      printOne({ tenant, required: keys }, flags.json);
      return;
    }
    case 'registration': {
      if (flags.set === undefined) {
        printOne({ tenant, ...await getRegistrationSettings(db, tenant) }, flags.json);
        return;
      }
      let patch: unknown;
      try {
        patch = JSON.parse(flags.set);
      } catch {
        throw new UsageError('--set must be a JSON object');
      }
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new UsageError('--set must be a JSON object');
      printOne({ tenant, ...await updateRegistrationSettings(db, tenant, patch as Record<string, unknown>) }, flags.json);
      return;
    }
    case 'legacy': {
      const patch: Partial<LegacySettings> = {};
      if (flags.allow !== undefined) patch.allowedNext = flags.allow.map((a) => a.trim()).filter(Boolean);
      if (flags.ttl !== undefined) patch.tokenTtl = flags.ttl;
      const settings = Object.keys(patch).length === 0 ? await getLegacySettings(db, tenant) : await updateLegacySettings(db, tenant, patch);
      printOne({ tenant, ...settings }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "settings ${verb}" (profile, registration, legacy)`);
  }
}
