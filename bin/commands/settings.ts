// tessera settings profile --tenant T [--required name,phone]
// Without --required it prints the current list; `--required ""` clears it.
import type { Db } from '../../core/db.ts';
import { getRequiredAttributes, setRequiredAttributes } from '../../core/profile.ts';
import { getTenant } from '../../core/tenants.ts';
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
    default:
      throw new UsageError(`unknown command "settings ${verb}" (profile)`);
  }
}
