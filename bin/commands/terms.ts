// tessera terms add --tenant T --url URL [--title T] | list --tenant T
// Adding a version makes it current: every user is asked to accept it at their next `terms` node.
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { addTerms, DEFAULT_TERMS_TITLE, listTerms, type TermsVersion } from '../../core/accounts/terms.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

const row = (t: TermsVersion) => ({ version: t.version, title: t.title, url: t.url, created: t.createdAt });

export async function termsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'add': {
      if (!flags.url) throw new UsageError('usage: tessera terms add --tenant T --url https://… [--title "Terms of Service"]');
      printOne(row(await addTerms(db, tenant, flags.url, flags.title ?? DEFAULT_TERMS_TITLE)), flags.json);
      return;
    }
    case 'list':
      printRows((await listTerms(db, tenant)).map(row), flags.json);
      return;
    default:
      throw new UsageError(`unknown command "terms ${verb}" (add, list)`);
  }
}
