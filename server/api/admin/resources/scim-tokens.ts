// Bearer tokens of the tenant's SCIM 2.0 endpoint (/t/{tenant}/scim/v2):
//   GET    /scim-tokens              (never the tokens: only their sha256 is stored)
//   POST   /scim-tokens { name }     → 201 with `token`, shown this once
//   DELETE /scim-tokens/{name}       revoke (the record stays, marked revoked)
// Rules: names are unique among the tenant's live tokens (409 name_taken); a SCIM token acts in
// its own tenant only, as `scim:<name>` in audit events.
import { z } from 'zod';
import {
  createScimToken, listScimTokens, revokeScimToken, SCIM_TOKEN_NAME, ScimTokenInputError, type ScimToken,
} from '../../../../core/scim/scim-tokens.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { Timestamp } from '../schemas.ts';

const TokenJson = z.object({
  id: z.uuid(), name: z.string(), status: z.enum(['active', 'revoked']),
  createdAt: Timestamp, lastUsedAt: Timestamp.nullable(), revokedAt: Timestamp.nullable(),
});
const Cursor = z.object({ after: z.string() });

const tokenJson = (t: ScimToken) => ({
  id: t.id, name: t.name, status: t.revokedAt ? 'revoked' as const : 'active' as const,
  createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt,
});
// Live tokens sort before revoked ones of the same name: the cursor key is name + id.
const keyOf = (t: ScimToken) => `${t.name}\u0001${t.id}`;

export const operations: Operation[] = [
  defineOperation({
    id: 'scim-tokens.list', method: 'GET', path: '/scim-tokens', scope: 'tenant', tag: 'scim-tokens', summary: 'SCIM tokens of the tenant',
    access: { area: 'manage', write: false }, query: ListQuery, response: z.object({ items: z.array(TokenJson), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor)?.after;
      const all = (await listScimTokens(db, tenant)).filter((t) => after === undefined || keyOf(t) > after)
        .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
      return page(all.slice(0, query.limit + 1), query.limit, (t) => ({ after: keyOf(t) }), tokenJson);
    },
  }),
  defineOperation({
    id: 'scim-tokens.create', method: 'POST', path: '/scim-tokens', scope: 'tenant', tag: 'scim-tokens',
    summary: 'Create a SCIM token (shown once)', access: { area: 'manage', write: true }, status: 201,
    body: z.object({ name: z.string().regex(SCIM_TOKEN_NAME, '1-63 letters, digits, dots, dashes or underscores') }).strict(),
    response: TokenJson.extend({ token: z.string().describe('The bearer token for /t/{tenant}/scim/v2: shown this once, never again.') }),
    async run(ctx, { body }) {
      try {
        const created = await createScimToken(ctx.db, ctx.tenant, body.name);
        ctx.note({ subject: created.name, data: { id: created.id } });
        return { ...tokenJson(created), token: created.token };
      } catch (err) {
        if (err instanceof ScimTokenInputError) throw new HttpError(409, 'name_taken', `${err.message}.`);
        throw err;
      }
    },
  }),
  defineOperation({
    id: 'scim-tokens.revoke', method: 'DELETE', path: '/scim-tokens/{name}', scope: 'tenant', tag: 'scim-tokens', summary: 'Revoke a SCIM token',
    access: { area: 'manage', write: true }, params: z.object({ name: z.string().max(100) }), status: 204, response: z.undefined(),
    async run(ctx, { params }) {
      if (!(await revokeScimToken(ctx.db, ctx.tenant, params.name))) throw notFound(`No active SCIM token named "${params.name.slice(0, 100)}".`);
      ctx.note({ subject: params.name });
      return undefined;
    },
  }),
];
