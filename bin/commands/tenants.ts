// tessera tenants create <id> [--name N] | list | show <id> | update <id> [--name N] [--set JSON] | delete <id>
// A client of the management operations (server/api/admin/resources/tenants.ts): the same checks
// and audit events as the API. --set is a settings patch, e.g. '{"branding":{"colors":{"primary":"#0055ff"}}}'.
import type { Db } from '../../core/infra/db.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

interface TenantJson { id: string; name: string; createdAt: string; settings?: Record<string, unknown> }

const row = (t: TenantJson) => ({ id: t.id, name: t.name, created: new Date(t.createdAt) });

/** A JSON object given on the command line. @throws UsageError for anything else. */
export function jsonObjectFlag(text: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} must be a JSON object`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${flag} must be a JSON object`);
  return value as Record<string, unknown>;
}

function idOf(args: string[], flags: Flags, usage: string): string {
  const id = args[0] ?? flags.id;
  if (!id) throw new UsageError(`usage: ${usage}`);
  return id;
}

export async function tenantsCommand(db: Db, verb: string, args: string[], flags: Flags): Promise<void> {
  switch (verb) {
    case 'create': {
      const id = idOf(args, flags, 'tessera tenants create <id> [--name "Display name"]');
      const body = { id, name: flags.name ?? id, ...(flags.set !== undefined ? { settings: jsonObjectFlag(flags.set, '--set') } : {}) };
      printOne(row(await runOperation<TenantJson>(db, 'tenants.create', { body })), flags.json);
      return;
    }
    case 'list': {
      const all: TenantJson[] = [];
      let cursor: string | undefined;
      do {
        const got = await runOperation<{ items: TenantJson[]; next: string | null }>(db, 'tenants.list', { query: { limit: '200', ...(cursor ? { cursor } : {}) } });
        all.push(...got.items);
        cursor = got.next ?? undefined;
      } while (cursor);
      printRows(all.map(row), flags.json);
      return;
    }
    case 'show': {
      const id = idOf(args, flags, 'tessera tenants show <id>');
      const t = await runOperation<TenantJson>(db, 'tenants.get', { params: { id } });
      printOne({ ...row(t), settings: t.settings }, flags.json);
      return;
    }
    case 'update': {
      const id = idOf(args, flags, 'tessera tenants update <id> [--name N] [--set JSON]');
      const body = { ...(flags.name !== undefined ? { name: flags.name } : {}), ...(flags.set !== undefined ? { settings: jsonObjectFlag(flags.set, '--set') } : {}) };
      if (Object.keys(body).length === 0) throw new UsageError('usage: tessera tenants update <id> [--name N] [--set JSON]: nothing to change');
      const t = await runOperation<TenantJson>(db, 'tenants.update', { params: { id }, body });
      printOne({ ...row(t), settings: t.settings }, flags.json);
      return;
    }
    case 'delete': {
      const id = idOf(args, flags, 'tessera tenants delete <id>');
      await runOperation(db, 'tenants.delete', { params: { id } });
      printOne({ id, deleted: true }, flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "tenants ${verb}" (create, list, show, update, delete)`);
  }
}
