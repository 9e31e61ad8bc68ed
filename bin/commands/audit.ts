// tessera audit list --tenant T [--type T] [--subject S] [--limit N] — the audit log, newest
// first, through the management operation audit-events.list.
import type { Db } from '../../core/infra/db.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printRows } from '../cli-output.ts';

type EventJson = { id: string; at: string; type: string; actor: string | null; subject: string | null; journeyId: string | null; data: object };

export async function auditCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  if (verb !== 'list') throw new UsageError(`unknown command "audit ${verb}" (list)`);
  const query = {
    limit: flags.limit ?? '50',
    ...(flags.type ? { type: flags.type } : {}), ...(flags.subject ? { subject: flags.subject } : {}),
  };
  const { items } = await runOperation<{ items: EventJson[] }>(db, 'audit-events.list', { tenant, query });
  printRows(items.map((e) => (flags.json ? e : { at: e.at, type: e.type, actor: e.actor, subject: e.subject, data: e.data })), flags.json);
}
