// Bearer tokens for automation against the management API:
//   GET    /admin-tokens                      (never the tokens: only their sha256 is stored)
//   POST   /admin-tokens { name, role? }      → 201 with `token`, shown this once
//   DELETE /admin-tokens/{name}               revoke
// Rules: a token holds one role (default tenant-admin); only a super-admin may make a super-admin
// token; names are unique among live tokens of a tenant (409 otherwise).
import { z } from 'zod';
import {
  ADMIN_TOKEN_NAME, AdminTokenInputError, createAdminToken, listAdminTokens, revokeAdminToken, type AdminToken,
} from '../../../../core/accounts/admin-tokens.ts';
import { ROLES } from '../../../../core/admin/roles.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, page } from '../pagination.ts';
import { isSuperAdmin } from '../principal.ts';
import { Timestamp } from '../schemas.ts';

const TokenJson = z.object({
  id: z.uuid(), name: z.string(), role: z.enum(ROLES), status: z.enum(['active', 'revoked']),
  createdAt: Timestamp, lastUsedAt: Timestamp.nullable(), revokedAt: Timestamp.nullable(),
});
const Cursor = z.object({ name: z.string() });

export const tokenJson = (t: AdminToken) => ({
  id: t.id, name: t.name, role: t.role, status: t.revokedAt ? 'revoked' as const : 'active' as const,
  createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt,
});

export const operations: Operation[] = [
  defineOperation({
    id: 'admin-tokens.list', method: 'GET', path: '/admin-tokens', scope: 'tenant', tag: 'admin-tokens', summary: 'Admin tokens of the tenant',
    access: { area: 'manage', write: false }, query: ListQuery, response: z.object({ items: z.array(TokenJson), next: z.string().nullable() }),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor);
      const all = (await listAdminTokens(db, tenant)).sort((a, b) => a.name.localeCompare(b.name)).filter((t) => !after || t.name > after.name);
      return page(all.slice(0, query.limit + 1), query.limit, (t) => ({ name: t.name }), tokenJson);
    },
  }),
  defineOperation({
    id: 'admin-tokens.create', method: 'POST', path: '/admin-tokens', scope: 'tenant', tag: 'admin-tokens',
    summary: 'Create an admin token (shown once)', access: { area: 'manage', write: true }, status: 201,
    body: z.object({ name: z.string().regex(ADMIN_TOKEN_NAME, '1-63 letters, digits, dots, dashes or underscores'), role: z.enum(ROLES).default('tenant-admin') }).strict(),
    response: TokenJson.extend({ token: z.string().describe('The bearer token: shown this once, never again.') }),
    async run(ctx, { body }) {
      if (body.role === 'super-admin' && !isSuperAdmin(ctx.principal)) throw new HttpError(403, 'forbidden', 'Only a super-admin may create a super-admin token.');
      try {
        const created = await createAdminToken(ctx.db, ctx.tenant, body.name, body.role);
        ctx.note({ subject: created.name, data: { role: created.role, id: created.id } });
        return { ...tokenJson(created), token: created.token };
      } catch (err) {
        if (err instanceof AdminTokenInputError) throw new HttpError(409, 'name_taken', `${err.message}.`);
        throw err;
      }
    },
  }),
  defineOperation({
    id: 'admin-tokens.revoke', method: 'DELETE', path: '/admin-tokens/{name}', scope: 'tenant', tag: 'admin-tokens', summary: 'Revoke an admin token',
    access: { area: 'manage', write: true }, params: z.object({ name: z.string().max(100) }), status: 204, response: z.undefined(),
    async run(ctx, { params }) {
      if (!(await revokeAdminToken(ctx.db, ctx.tenant, params.name))) throw notFound(`No active admin token named "${params.name}" in tenant "${ctx.tenant}".`);
      ctx.note({ subject: params.name });
      return undefined;
    },
  }),
];
