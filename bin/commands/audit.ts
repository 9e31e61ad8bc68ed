// tessera audit list --tenant T [--type T] [--subject S] [--actor A] [--client C] [--journey ID]
//   [--from ISO] [--to ISO] [--limit N] — the audit log, newest first, through the management
// operation audit-events.list (the same filters as GET /audit-events).
import type { Db } from '../../core/infra/db.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printRows } from '../cli-output.ts';

type EventJson = { id: string; at: string; type: string; actor: string | null; subject: string | null; journeyId: string | null; data: object };

export async function auditCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (verb !== 'list') throw new UsageError(`unknown command "audit ${verb}" (list)`);
  const filters = { type: flags.type, subject: flags.subject, actor: flags.actor, client: flags.client, journeyId: flags.journey, from: flags.from, to: flags.to };
  const query = { limit: flags.limit ?? '50', ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) };
  const { items } = await runOperation<{ items: EventJson[] }>(db, 'audit-events.list', { tenant, query });
  printRows(items.map((e) => (flags.json ? e : { at: e.at, type: e.type, actor: e.actor, subject: e.subject, data: e.data })), flags.json);
}
