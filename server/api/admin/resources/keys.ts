// The tenant's token signing keys (ES256, RS256, PS256, EdDSA):
//   GET  /keys          newest first (the active keys, then the retired ones still published)
//   POST /keys/rotate   { grace? }: new active keys; the old ones stay published for `grace` (default 24h)
// Rules: never any private key material, only kid, alg, status and dates; grace at most 90 days;
// the rotation is effective at once for this server's provider (provider-cache.ts follows
// keysGeneration()) and within 2 s on other replicas.
import { z } from 'zod';
import { isDuration, parseDuration } from '../../../../core/infra/duration.ts';
import { DEFAULT_KEY_GRACE_MS, listSigningKeysPage, rotateSigningKeys, type SigningKeyInfo } from '../../../../core/oidc/signing-keys.ts';
import { getTenant } from '../../../../core/tenants/tenants.ts';
import { tenantHidden } from '../execute.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, listOf, page } from '../pagination.ts';
import { Timestamp } from '../schemas.ts';

const MAX_GRACE_MS = 90 * 86_400_000;

const KeyJson = z.object({
  kid: z.string(), alg: z.string(), status: z.enum(['active', 'retired']), createdAt: Timestamp,
  publishUntil: Timestamp.nullable().describe('Retired keys: published (for verification) until then.'),
});
const RotateBody = z.object({
  grace: z.string().max(16).refine(isDuration, 'must be a duration such as 12h or 7d')
    .refine((g) => !isDuration(g) || parseDuration(g) <= MAX_GRACE_MS, 'must be at most 90d').optional()
    .describe('How long the replaced keys stay published (default 24h).'),
}).strict();
const Cursor = z.object({ at: z.string().regex(/^\d{1,20}$/), kid: z.string().max(200) });

const keyJson = (k: SigningKeyInfo) => ({ kid: k.kid, alg: k.alg, status: k.status, createdAt: k.createdAt, publishUntil: k.publishUntil });

export const operations: Operation[] = [
  defineOperation({
    id: 'keys.list', method: 'GET', path: '/keys', scope: 'tenant', tag: 'keys', summary: 'Signing keys, newest first',
    access: { area: 'manage', write: false }, query: ListQuery, response: listOf(KeyJson),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor);
      const rows = await listSigningKeysPage(db, tenant, { after, limit: query.limit + 1 });
      return page(rows, query.limit, (k) => ({ at: k.createdAtMicros, kid: k.kid }), keyJson);
    },
  }),
  defineOperation({
    id: 'keys.rotate', method: 'POST', path: '/keys/rotate', scope: 'tenant', tag: 'keys',
    summary: 'New signing keys; the old ones stay published for the grace period', access: { area: 'manage', write: true },
    body: RotateBody, optionalBody: true, response: z.object({ items: z.array(KeyJson).describe('Every key of the tenant after the rotation.') }),
    async run(ctx, { body }) {
      if (!(await getTenant(ctx.db, ctx.tenant))) throw tenantHidden(ctx.tenant);
      const graceMs = body.grace ? parseDuration(body.grace) : DEFAULT_KEY_GRACE_MS;
      const keys = await rotateSigningKeys(ctx.db, ctx.tenant, graceMs);
      ctx.note({ subject: ctx.tenant, data: { kids: keys.filter((k) => k.status === 'active').map((k) => k.kid), graceMs } });
      return { items: keys.map(keyJson) };
    },
  }),
];
