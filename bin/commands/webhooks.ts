// tessera webhooks create --tenant T --url U --event E [--event E2] [--dead-letter 1h] [--description D]
// tessera webhooks list --tenant T · delete --tenant T --id ID · deliveries --tenant T --id ID [--status S]
// tessera webhooks rotate-secret --tenant T --id ID [--grace 24h]
// Through the management API's operations (server/api/admin/resources/webhooks.ts): the same checks
// and audit events. `create` and `rotate-secret` print the signing secret once; it cannot be read back.
import type { Db } from '../../core/infra/db.ts';
import { runOperation } from '../admin-operations.ts';
import { UsageError, required, type Flags } from '../cli-args.ts';
import { printOne, printRows } from '../cli-output.ts';

interface WebhookJson { id: string; url: string; eventTypes: string[]; enabled: boolean; deadLetterAfter: string; createdAt: string }
interface DeliveryJson { eventId: string; eventType: string; status: string; attempts: number; lastError: string | null; createdAt: string }
type Page<T> = { items: T[]; next: string | null };

const row = (w: WebhookJson) => ({
  id: w.id, url: w.url, events: w.eventTypes.join(','), enabled: w.enabled, deadLetter: w.deadLetterAfter, created: w.createdAt,
});

async function all<T>(db: Db, id: string, tenant: string, params: Record<string, string> = {}, query: Record<string, string> = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const result: Page<T> = await runOperation(db, id, { tenant, params, query: { ...query, limit: '200', ...(cursor ? { cursor } : {}) } });
    items.push(...result.items);
    cursor = result.next;
  } while (cursor);
  return items;
}

export async function webhooksCommand(db: Db, verb: string, _args: string[], flags: Flags): Promise<void> {
  const tenant = required(flags, 'tenant');
  switch (verb) {
    case 'create': {
      const events = flags.event ?? [];
      if (!events.length) throw new UsageError('name at least one --event (e.g. --event user.created)');
      const hook = await runOperation<WebhookJson & { secret: string }>(db, 'webhooks.create', {
        tenant,
        body: {
          url: required(flags, 'url'), eventTypes: events,
          ...(flags['dead-letter'] ? { deadLetterAfter: flags['dead-letter'] } : {}),
          ...(flags.description ? { description: flags.description } : {}),
        },
      });
      if (flags.json) printOne({ ...row(hook), secret: hook.secret }, true);
      else console.log(`${hook.secret}\n(signing secret of webhook ${hook.id} → ${hook.url}: shown once, store it now)`);
      return;
    }
    case 'list':
      printRows((await all<WebhookJson>(db, 'webhooks.list', tenant)).map(row), flags.json);
      return;
    case 'delete': {
      const id = required(flags, 'id');
      await runOperation(db, 'webhooks.delete', { tenant, params: { id } });
      printOne({ id, status: 'deleted' }, flags.json);
      return;
    }
    case 'rotate-secret': {
      const hook = await runOperation<WebhookJson & { secret: string }>(db, 'webhooks.rotate-secret', {
        tenant, params: { id: required(flags, 'id') }, body: flags.grace ? { grace: flags.grace } : {},
      });
      if (flags.json) printOne({ ...row(hook), secret: hook.secret }, true);
      else console.log(`${hook.secret}\n(new signing secret of webhook ${hook.id}: shown once; the old one also signs for ${flags.grace ?? '24h'})`);
      return;
    }
    case 'deliveries': {
      const id = required(flags, 'id');
      const rows = await all<DeliveryJson>(db, 'webhooks.deliveries', tenant, { id }, flags.status ? { status: flags.status } : {});
      printRows(rows.map((d) => ({ event: d.eventId, type: d.eventType, status: d.status, attempts: d.attempts, error: d.lastError, created: d.createdAt })), flags.json);
      return;
    }
    default:
      throw new UsageError(`unknown command "webhooks ${verb}" (create, list, delete, deliveries, rotate-secret)`);
  }
}
