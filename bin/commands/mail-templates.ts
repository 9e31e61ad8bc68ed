// tessera mail-templates list --tenant T | show <name> --tenant T | set <name> --tenant T --file override.json | reset <name> --tenant T
// The tenant's mail templates through the mail-templates operations: `set` stores an override
// ({ "subject"?, "text"?, "html"? }, checked as the API checks it), `reset` goes back to the default.
import { readFile } from 'node:fs/promises';
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

interface TemplateJson { name: string; placeholders: string[]; default: Record<string, string>; override: Record<string, string> | null }

const USAGE = 'usage: tessera mail-templates list|show|set|reset [<name>] --tenant T [--file override.json]';

async function overrideFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON`);
  }
}

export async function mailTemplatesCommand(db: Db, verb: string, args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  const name = () => args[0] ?? flags.name ?? (() => { throw new UsageError(USAGE); })();
  switch (verb) {
    case 'list': {
      const got = await runOperation<{ items: TemplateJson[] }>(db, 'mail-templates.list', { tenant, query: { limit: '200' } });
      if (flags.json) printRows(got.items as unknown as Record<string, unknown>[], true);
      else printRows(got.items.map((t) => ({ name: t.name, overridden: t.override ? Object.keys(t.override).join(',') : '', placeholders: t.placeholders.join(',') })), false);
      return;
    }
    case 'show':
      printOne({ ...await runOperation<TemplateJson>(db, 'mail-templates.get', { tenant, params: { name: name() } }) }, flags.json);
      return;
    case 'set': {
      const template = name();
      const body = await overrideFile(required(flags, 'file'));
      printOne({ ...await runOperation<TemplateJson>(db, 'mail-templates.set', { tenant, params: { name: template }, body }) }, flags.json);
      return;
    }
    case 'reset': {
      const template = name();
      await runOperation(db, 'mail-templates.reset', { tenant, params: { name: template } });
      printOne({ name: template, override: null }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "mail-templates ${verb}" (list, show, set, reset)`);
  }
}
