// Journeys, for answering "why was I denied?":
//   GET /journeys        ended journeys, newest first, from the audit log (`?subject=` a user id,
//                        `?status=` succeeded | failed | expired, `?tree=`)
//   GET /journeys/{id}   the journey's decisions in order, rebuilt from its Temporal history
//                        (running or ended): node, module, outcome, error codes, steps, tree version
// Rules: a journey of another tenant, or a workflow that is not a journey, is 404; what users
// typed is never decoded (journey-history.ts); readable by tenant-admins and auditors.
import { z } from 'zod';
import { queryAudit } from '../../../../core/infra/audit.ts';
import { buildTimeline } from '../../../../core/journeys/journey-timeline.ts';
import { notFound } from '../../../http-error.ts';
import { readJourneyHistory } from '../journey-history.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { IdParams, Timestamp } from '../schemas.ts';

const read = { area: 'audit', write: false } as const;
const Status = z.enum(['succeeded', 'failed', 'expired']);

const JourneySummary = z.object({
  id: z.string(), status: z.string(), tree: z.string().nullable(), version: z.number().nullable(),
  subject: z.string().nullable(), endedAt: Timestamp, error: z.string().nullable(),
});
const Entry = z.object({
  at: Timestamp,
  event: z.enum(['started', 'tree', 'node', 'step', 'input', 'link', 'subtree', 'expired', 'module-error', 'ended']),
  node: z.string().optional(), module: z.string().optional(), outcome: z.string().optional(),
  errors: z.array(z.string()).optional(), remembered: z.boolean().optional(), stepType: z.string().optional(),
  title: z.string().optional(), tree: z.string().optional(), version: z.number().optional(), detail: z.string().optional(),
});
const TimelineJson = z.object({
  id: z.string(), running: z.boolean(), kind: z.string().optional(), tree: z.string().optional(), version: z.number().optional(),
  status: z.string().optional(), startedAt: Timestamp.optional(), endedAt: Timestamp.optional(), entries: z.array(Entry),
});
const Cursor = z.object({ id: z.string().regex(/^\d{1,19}$/) });

export const operations: Operation[] = [
  defineOperation({
    id: 'journeys.list', method: 'GET', path: '/journeys', scope: 'tenant', tag: 'journeys', summary: 'Ended journeys, newest first',
    access: read, query: ListQuery.extend({ subject: z.string().max(200).optional(), status: Status.optional(), tree: z.string().max(100).optional() }),
    response: z.object({ items: z.array(JourneySummary), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor);
      // The tree filter is applied to a page of the audit query, so a page may hold fewer items.
      const rows = await queryAudit(db, tenant, {
        type: query.status ? `journey.${query.status}` : 'journey.', subject: query.subject, beforeId: after?.id, limit: query.limit + 1,
      });
      const result = page(rows, query.limit, (e) => ({ id: e.id }), (e) => ({
        id: e.journeyId ?? '', status: e.type.slice('journey.'.length), tree: (e.data?.tree as string) ?? null,
        version: typeof e.data?.version === 'number' ? e.data.version : null, subject: e.subject ?? null, endedAt: e.at,
        error: (e.data?.error as string) ?? null,
      }));
      return query.tree ? { ...result, items: result.items.filter((j) => j.tree === query.tree) } : result;
    },
  }),
  defineOperation({
    id: 'journeys.get', method: 'GET', path: '/journeys/{id}', scope: 'tenant', tag: 'journeys',
    summary: 'A journey\'s decisions in order (its timeline)', access: read, params: IdParams, response: TimelineJson,
    async run(ctx, { params }) {
      if (!/^[A-Za-z0-9_-]{8,100}$/.test(params.id)) throw notFound('No such journey.');
      const history = await readJourneyHistory(await ctx.temporal(), params.id);
      if (!history || history.tenant !== ctx.tenant) throw notFound('No such journey.');
      return { id: params.id, running: history.running, ...buildTimeline(history.records) };
    },
  }),
];
