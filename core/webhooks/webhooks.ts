// A tenant's webhooks: where to POST, which event types, a signing secret and how long a failing
// delivery is retried before it is dead-lettered. The management API and `tessera webhooks` both
// come through here.
// Rules: the secret (256 random bits, `whsec_` prefix) is returned by createWebhook only, never by
// a read, and stored sealed (core/infra/secret-columns.ts: bound to its row and column, so a
// rotation opens the current secret and seals it again as the previous one); event types must be
// known ones (core/infra/webhook-events.ts); every query names the tenant.
import { randomUUID } from 'node:crypto';
import type { Db } from '../infra/db.ts';
import { openSecret, sealSecret, SECRET_COLUMNS } from '../infra/secret-columns.ts';
import { newSecretToken } from '../infra/secret-token.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../infra/webhook-events.ts';
import { checkWebhookUrl, WebhookInputError } from './webhook-url.ts';

export { WebhookInputError } from './webhook-url.ts';

export interface Webhook {
  id: string;
  tenant: string;
  url: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  description: string | null;
  deadLetterAfterMs: number;
  createdAt: Date;
  updatedAt: Date;
  /** The sort key of lists (created_at to the microsecond, as text, and the id). */
  cursor: WebhookCursor;
}

export interface WebhookCursor { at: string; id: string }

export interface NewWebhook extends Webhook { secret: string }

export interface WebhookInput {
  url: string;
  eventTypes: string[];
  enabled?: boolean;
  description?: string | null;
  deadLetterAfterMs?: number;
}

export const SECRET_PREFIX = 'whsec_';
export const DEFAULT_DEAD_LETTER_MS = 24 * 3_600_000;
export const MIN_DEAD_LETTER_MS = 1_000;
/** A week: the outbox keeps an event that long after dispatching it (webhook-dispatcher.ts prunes after). */
export const MAX_DEAD_LETTER_MS = 7 * 24 * 3_600_000;

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

function toWebhook(row: Record<string, any>): Webhook {
  return {
    id: row.id, tenant: row.tenant_id, url: row.url, eventTypes: row.event_types, enabled: row.enabled,
    description: row.description ?? null, deadLetterAfterMs: Number(row.dead_letter_after_ms),
    createdAt: row.created_at, updatedAt: row.updated_at, cursor: { at: row.created_key, id: row.id },
  };
}

/** @throws WebhookInputError for an unknown or missing event type. */
function checkEventTypes(types: string[]): WebhookEventType[] {
  const unknown = types.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length) throw new WebhookInputError(`eventTypes: unknown event type "${unknown[0]!.slice(0, 64)}" (known: ${WEBHOOK_EVENT_TYPES.join(', ')})`);
  if (!types.length) throw new WebhookInputError('eventTypes: at least one event type');
  return [...new Set(types)].sort() as WebhookEventType[];
}

/** @throws WebhookInputError when outside the allowed range. */
function checkDeadLetter(ms: number): number {
  if (!Number.isInteger(ms) || ms < MIN_DEAD_LETTER_MS || ms > MAX_DEAD_LETTER_MS) {
    throw new WebhookInputError(`deadLetterAfter: between 1s and 7d`);
  }
  return ms;
}

/** @throws WebhookInputError for a bad URL, event type or dead-letter time. */
export async function createWebhook(db: Db, tenant: string, input: WebhookInput): Promise<NewWebhook> {
  const url = checkWebhookUrl(input.url);
  const types = checkEventTypes(input.eventTypes);
  const deadLetter = checkDeadLetter(input.deadLetterAfterMs ?? DEFAULT_DEAD_LETTER_MS);
  const secret = newSecretToken(SECRET_PREFIX);
  const id = randomUUID();
  const sealed = sealSecret(SECRET_COLUMNS.webhookSecret, [tenant, id], secret);
  const [row] = await db`INSERT INTO webhooks (id, tenant_id, url, event_types, secret, enabled, description, dead_letter_after_ms)
    VALUES (${id}, ${tenant}, ${url}, ${types}, ${sealed}, ${input.enabled ?? true}, ${input.description ?? null}, ${deadLetter})
    RETURNING *, created_at::text AS created_key`;
  return { ...toWebhook(row!), secret };
}

export async function getWebhook(db: Db, tenant: string, id: string): Promise<Webhook | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db`SELECT *, created_at::text AS created_key FROM webhooks WHERE tenant_id = ${tenant} AND id = ${id}`;
  return row ? toWebhook(row) : undefined;
}

/** Oldest first, after the webhook `after` (cursor), at most `limit`. */
export async function listWebhooks(db: Db, tenant: string, page: { after?: WebhookCursor; limit: number }): Promise<Webhook[]> {
  const rows = await db`SELECT *, created_at::text AS created_key FROM webhooks WHERE tenant_id = ${tenant}
    ${page.after ? db`AND (created_at, id) > (${page.after.at}::timestamptz, ${page.after.id}::uuid)` : db``}
    ORDER BY created_at, id LIMIT ${page.limit}`;
  return rows.map(toWebhook);
}

/** Changes the fields given. @throws WebhookInputError as createWebhook. */
export async function updateWebhook(db: Db, tenant: string, id: string, patch: Partial<WebhookInput>): Promise<Webhook | undefined> {
  if (!isUuid(id)) return undefined;
  const url = patch.url === undefined ? undefined : checkWebhookUrl(patch.url);
  const types = patch.eventTypes === undefined ? undefined : checkEventTypes(patch.eventTypes);
  const deadLetter = patch.deadLetterAfterMs === undefined ? undefined : checkDeadLetter(patch.deadLetterAfterMs);
  const [row] = await db`UPDATE webhooks SET
      url = COALESCE(${url ?? null}, url),
      event_types = COALESCE(${types ?? null}::text[], event_types),
      enabled = COALESCE(${patch.enabled ?? null}::boolean, enabled),
      description = ${patch.description === undefined ? db`description` : patch.description},
      dead_letter_after_ms = COALESCE(${deadLetter ?? null}::bigint, dead_letter_after_ms),
      updated_at = now()
    WHERE tenant_id = ${tenant} AND id = ${id} RETURNING *, created_at::text AS created_key`;
  return row ? toWebhook(row) : undefined;
}

/** Seven days at most: a receiver is expected to take the new secret within that. */
export const MAX_ROTATION_GRACE_MS = 7 * 24 * 3_600_000;

/**
 * A new signing secret; for `graceMs` deliveries carry a signature with the old one too, so a
 * receiver can switch without refusing anything. @throws WebhookInputError for a grace over 7d.
 */
export async function rotateWebhookSecret(db: Db, tenant: string, id: string, graceMs: number): Promise<NewWebhook | undefined> {
  if (!isUuid(id)) return undefined;
  if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_ROTATION_GRACE_MS) throw new WebhookInputError('grace: between 0s and 7d');
  const secret = newSecretToken(SECRET_PREFIX);
  const row = await db.begin(async (tx) => {
    const [current] = await tx`SELECT secret FROM webhooks WHERE tenant_id = ${tenant} AND id = ${id} FOR UPDATE`;
    if (!current) return undefined;
    const previous = sealSecret(SECRET_COLUMNS.webhookPreviousSecret, [tenant, id], openSecret(SECRET_COLUMNS.webhookSecret, [tenant, id], current.secret));
    const [updated] = await tx`UPDATE webhooks SET previous_secret = ${previous}, previous_secret_until = now() + ${graceMs} * interval '1 millisecond',
        secret = ${sealSecret(SECRET_COLUMNS.webhookSecret, [tenant, id], secret)}, updated_at = now()
      WHERE tenant_id = ${tenant} AND id = ${id} RETURNING *, created_at::text AS created_key`;
    return updated;
  });
  return row ? { ...toWebhook(row), secret } : undefined;
}

/** Deleting a webhook ends its deliveries: the next attempt of each finds it gone and stops. */
export async function deleteWebhook(db: Db, tenant: string, id: string): Promise<Webhook | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db`DELETE FROM webhooks WHERE tenant_id = ${tenant} AND id = ${id} RETURNING *, created_at::text AS created_key`;
  return row ? toWebhook(row) : undefined;
}
