// The audit log, read back: GET /audit-events, newest first, filtered by type (exact, or a prefix
// ending in `.` or `*`), subject, actor, client, journey id and a time range [from, to).
// Readable by tenant-admins and auditors (area `audit`); nothing writes through this resource.
import { z } from 'zod';
import { queryAudit } from '../../../../core/infra/audit.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { Timestamp } from '../schemas.ts';

const EventJson = z.object({
  id: z.string(), at: Timestamp, type: z.string(), actor: z.string().nullable(), subject: z.string().nullable(),
  journeyId: z.string().nullable(), data: z.record(z.string(), z.unknown()),
});
const Filter = ListQuery.extend({
  type: z.string().max(100).optional().describe('Exact type, or a prefix ending in "." or "*".'),
  subject: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  client: z.string().max(200).optional(),
  journeyId: z.string().max(200).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Events at or after this time.'),
  to: z.iso.datetime({ offset: true }).optional().describe('Events before this time.'),
});
const Cursor = z.object({ id: z.string().regex(/^\d{1,19}$/) });

export const operations: Operation[] = [
  defineOperation({
    id: 'audit-events.list', method: 'GET', path: '/audit-events', scope: 'tenant', tag: 'audit', summary: 'Query the audit log',
    access: { area: 'audit', write: false }, query: Filter, response: z.object({ items: z.array(EventJson), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor);
      const rows = await queryAudit(db, tenant, {
        type: query.type, subject: query.subject, actor: query.actor, client: query.client, journeyId: query.journeyId,
        from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined,
        beforeId: after?.id, limit: query.limit + 1,
      });
      return page(rows, query.limit, (e) => ({ id: e.id }), (e) => ({
        id: e.id, at: e.at, type: e.type, actor: e.actor ?? null, subject: e.subject ?? null, journeyId: e.journeyId ?? null, data: e.data ?? {},
      }));
    },
  }),
];
