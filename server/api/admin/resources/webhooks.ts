// Webhooks of a tenant (core/webhooks/webhooks.ts):
//   GET    /webhooks                     oldest first
//   POST   /webhooks                     { url, eventTypes, enabled?, description?, deadLetterAfter? } → 201 with the
//                                        signing secret, in this answer only
//   GET    /webhooks/{id}                never the secret
//   PATCH  /webhooks/{id}                the fields sent; If-Match honoured
//   DELETE /webhooks/{id}                204; its deliveries in flight stop at their next attempt
//   POST   /webhooks/{id}/rotate-secret  { grace? } → a new secret, in this answer only; for the grace
//                                        (default 24h) deliveries are signed with the old one too
//   GET    /webhooks/{id}/deliveries     newest first, `status` filter: what was delivered, what is
//                                        retrying and why, what was dead-lettered
// Rules: https only (http to localhost for development); unknown event types and dead-letter times
// outside 1s-7d answer 400 naming the field; audit events name the URL and types, never the secret.
import { z } from 'zod';
import { formatDuration, isDuration, parseDuration } from '../../../../core/infra/duration.ts';
import { WEBHOOK_EVENT_TYPES } from '../../../../core/infra/webhook-events.ts';
import { listDeliveries, type Delivery } from '../../../../core/webhooks/deliveries.ts';
import {
  createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateWebhookSecret, updateWebhook, WebhookInputError, type Webhook,
} from '../../../../core/webhooks/webhooks.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, listOf, page } from '../pagination.ts';
import { IdParams, Timestamp } from '../schemas.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

const EventType = z.enum(WEBHOOK_EVENT_TYPES);
const Duration = z.string().max(16).refine(isDuration, 'a duration such as 90s, 15m, 12h or 7d');
const WebhookJson = z.object({
  id: z.uuid(), url: z.string(), eventTypes: z.array(EventType), enabled: z.boolean(), description: z.string().nullable(),
  deadLetterAfter: z.string().describe('How long a failing delivery is retried before it is dead-lettered.'),
  createdAt: Timestamp, updatedAt: Timestamp,
});
const DeliveryJson = z.object({
  eventId: z.uuid(), eventType: z.string(), status: z.enum(['pending', 'delivered', 'dead-lettered']), attempts: z.number().int(),
  lastError: z.string().nullable(), responseCode: z.number().int().nullable(),
  createdAt: Timestamp, lastAttemptAt: Timestamp.nullable(), finishedAt: Timestamp.nullable(),
});
const Cursor = z.object({ at: z.string().max(64), id: z.uuid() });

const CreateBody = z.object({
  url: z.string().max(2000).describe('https, or http to localhost/127.0.0.1 for development.'),
  eventTypes: z.array(EventType).min(1).max(WEBHOOK_EVENT_TYPES.length),
  enabled: z.boolean().optional(),
  description: z.string().trim().min(1).max(200).optional(),
  deadLetterAfter: Duration.optional().describe('1s to 7d; default 24h.'),
}).strict();
const PatchBody = CreateBody.partial().extend({ description: z.string().trim().min(1).max(200).nullable().optional() }).strict();

const webhookJson = (w: Webhook) => ({
  id: w.id, url: w.url, eventTypes: w.eventTypes, enabled: w.enabled, description: w.description,
  deadLetterAfter: formatDuration(w.deadLetterAfterMs), createdAt: w.createdAt, updatedAt: w.updatedAt,
});
const deliveryJson = (d: Delivery) => ({
  eventId: d.eventId, eventType: d.eventType, status: d.status, attempts: d.attempts, lastError: d.lastError,
  responseCode: d.responseCode, createdAt: d.createdAt, lastAttemptAt: d.lastAttemptAt, finishedAt: d.finishedAt,
});
const noSuchWebhook = () => notFound('No such webhook.');

/** @throws HttpError 400 for the core's refusals; anything else unchanged. */
function inputError(err: unknown): unknown {
  return err instanceof WebhookInputError ? new HttpError(400, 'invalid_request', `body.${err.message}`) : err;
}

const deadLetterMs = (text: string | undefined) => (text === undefined ? undefined : parseDuration(text));

export const operations: Operation[] = [
  defineOperation({
    id: 'webhooks.list', method: 'GET', path: '/webhooks', scope: 'tenant', tag: 'webhooks', summary: 'Webhooks, oldest first',
    access: read, query: ListQuery, response: listOf(WebhookJson),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor);
      const rows = await listWebhooks(db, tenant, { after, limit: query.limit + 1 });
      return page(rows, query.limit, (w) => w.cursor, webhookJson);
    },
  }),
  defineOperation({
    id: 'webhooks.create', method: 'POST', path: '/webhooks', scope: 'tenant', tag: 'webhooks',
    summary: 'Create a webhook (its signing secret is shown once)', access: write, body: CreateBody, status: 201,
    response: WebhookJson.extend({ secret: z.string().describe('The HMAC-SHA256 signing secret: shown in this answer and never again.') }),
    async run(ctx, { body }) {
      try {
        const hook = await createWebhook(ctx.db, ctx.tenant, {
          url: body.url, eventTypes: body.eventTypes, enabled: body.enabled, description: body.description,
          deadLetterAfterMs: deadLetterMs(body.deadLetterAfter),
        });
        ctx.note({ subject: hook.id, data: { url: hook.url, eventTypes: hook.eventTypes } });
        return { ...webhookJson(hook), secret: hook.secret };
      } catch (err) {
        throw inputError(err);
      }
    },
  }),
  defineOperation({
    id: 'webhooks.get', method: 'GET', path: '/webhooks/{id}', scope: 'tenant', tag: 'webhooks', summary: 'One webhook (never its secret)',
    access: read, params: IdParams, response: WebhookJson, etagOf: 'webhooks.get',
    async run({ db, tenant }, { params }) {
      const hook = await getWebhook(db, tenant, params.id);
      if (!hook) throw noSuchWebhook();
      return webhookJson(hook);
    },
  }),
  defineOperation({
    id: 'webhooks.update', method: 'PATCH', path: '/webhooks/{id}', scope: 'tenant', tag: 'webhooks',
    summary: 'Change a webhook (only the fields sent)', access: write, params: IdParams, body: PatchBody, response: WebhookJson, etagOf: 'webhooks.get',
    async run(ctx, { params, body }) {
      try {
        const hook = await updateWebhook(ctx.db, ctx.tenant, params.id, {
          url: body.url, eventTypes: body.eventTypes, enabled: body.enabled, description: body.description,
          deadLetterAfterMs: deadLetterMs(body.deadLetterAfter),
        });
        if (!hook) throw noSuchWebhook();
        ctx.note({ data: { changed: Object.keys(body).sort() } });
        return webhookJson(hook);
      } catch (err) {
        throw inputError(err);
      }
    },
  }),
  defineOperation({
    id: 'webhooks.delete', method: 'DELETE', path: '/webhooks/{id}', scope: 'tenant', tag: 'webhooks',
    summary: 'Delete a webhook (deliveries in flight stop)', access: write, params: IdParams,
    response: z.undefined(), status: 204, etagOf: 'webhooks.get',
    async run(ctx, { params }) {
      const hook = await deleteWebhook(ctx.db, ctx.tenant, params.id);
      if (!hook) throw noSuchWebhook();
      ctx.note({ data: { url: hook.url } });
      return undefined;
    },
  }),
  defineOperation({
    id: 'webhooks.rotate-secret', method: 'POST', path: '/webhooks/{id}/rotate-secret', scope: 'tenant', tag: 'webhooks',
    summary: 'A new signing secret (shown once); the old one also signs for the grace period', access: write, params: IdParams,
    body: z.object({ grace: Duration.optional().describe('0s to 7d; default 24h.') }).strict(), optionalBody: true,
    response: WebhookJson.extend({ secret: z.string().describe('The new signing secret: shown in this answer and never again.') }),
    async run(ctx, { params, body }) {
      try {
        const hook = await rotateWebhookSecret(ctx.db, ctx.tenant, params.id, parseDuration(body.grace ?? '24h'));
        if (!hook) throw noSuchWebhook();
        ctx.note({ data: { grace: body.grace ?? '24h' } });
        return { ...webhookJson(hook), secret: hook.secret };
      } catch (err) {
        throw inputError(err);
      }
    },
  }),
  defineOperation({
    id: 'webhooks.deliveries', method: 'GET', path: '/webhooks/{id}/deliveries', scope: 'tenant', tag: 'webhooks',
    summary: 'Deliveries of a webhook, newest first', access: read, params: IdParams,
    query: ListQuery.extend({ status: z.enum(['pending', 'delivered', 'dead-lettered']).optional() }),
    response: listOf(DeliveryJson),
    async run({ db, tenant }, { params, query }) {
      if (!(await getWebhook(db, tenant, params.id))) throw noSuchWebhook();
      const before = decodeCursor(query.cursor, Cursor);
      const rows = await listDeliveries(db, tenant, params.id, { status: query.status, before, limit: query.limit + 1 });
      return page(rows, query.limit, (d) => d.cursor, deliveryJson);
    },
  }),
];
