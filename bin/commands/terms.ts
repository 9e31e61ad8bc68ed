// tessera terms add --tenant T --url URL [--title T] | list --tenant T
// Adding a version makes it current: every user is asked to accept it at their next `terms` node.
// A client of the terms operations (server/api/admin/resources/terms.ts); lists oldest first.
import type { Db } from '../../core/infra/db.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { DEFAULT_TERMS_TITLE } from '../../core/accounts/terms.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

interface TermsJson { version: number; url: string; title: string; createdAt: string; acceptances: number }

const row = (t: TermsJson) => ({ version: t.version, title: t.title, url: t.url, created: new Date(t.createdAt) });

export async function termsCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (!(await getTenant(db, tenant))) throw new Error(`no tenant "${tenant}"`);
  switch (verb) {
    case 'add': {
      if (!flags.url) throw new UsageError('usage: tessera terms add --tenant T --url https://… [--title "Terms of Service"]');
      const body = { url: flags.url, title: flags.title ?? DEFAULT_TERMS_TITLE };
      printOne(row(await runOperation<TermsJson>(db, 'terms.create', { tenant, body })), flags.json);
      return;
    }
    case 'list': {
      const all: TermsJson[] = [];
      let cursor: string | undefined;
      do {
        const got = await runOperation<{ items: TermsJson[]; next: string | null }>(db, 'terms.list', { tenant, query: { limit: '200', ...(cursor ? { cursor } : {}) } });
        all.push(...got.items);
        cursor = got.next ?? undefined;
      } while (cursor);
      printRows(all.reverse().map(row), flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "terms ${verb}" (add, list)`);
  }
}
