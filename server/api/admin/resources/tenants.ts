// Tenants, across the deployment (global scope, under /api/admin):
//   GET    /tenants        the tenants the caller may manage or read, by id; `?q=` id or name
//   POST   /tenants        { id, name?, settings? } → 201 (super-admin only)
//   GET    /tenants/{id}   with its settings (branding, login, registration, profile, legacy, smtp, rateLimits, ui)
//   PATCH  /tenants/{id}   { name?, settings? }: partial settings, each section merged one level deep
//   DELETE /tenants/{id}   → 204 (super-admin only): the tenant and everything in it
// Rules: a caller with no role in the tenant gets 404 tenant_not_found, like an unknown tenant;
// settings are checked whole before anything is written (the checks `tessera settings` has always
// used); the SMTP URL may hold a password: it is never answered (`{ configured, host, from }`),
// never in an audit event, and only a super-admin may change it (it makes the server connect
// where it says); nobody deletes the tenant their own credentials live in (409 own_tenant).
// Creating a tenant is recorded in the new tenant; deleting one in the caller's own tenant (or
// `admin`), since the deleted tenant's audit log goes with it.
import { z } from 'zod';
import { TenantExistsError, TENANT_ID, TENANT_ID_RULE, createTenant, deleteTenant, getTenant, listTenantsPage, type Tenant } from '../../../../core/tenants/tenants.ts';
import {
  TenantName, TenantSettingsError, TenantSettingsPatch, TenantSettingsView, checkSettingsPatch, getTenantSettings, updateTenant,
} from '../../../../core/tenants/tenant-settings.ts';
import { HttpError } from '../../../http-error.ts';
import { tenantHidden } from '../execute.ts';
import { defineOperation, type Operation, type OperationContext } from '../operation.ts';
import { decodeCursor, ListQuery, listOf, page } from '../pagination.ts';
import { authorize, isSuperAdmin, visibleTenants, type AdminPrincipal } from '../principal.ts';
import { IdParams, Timestamp } from '../schemas.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

const TenantSummary = z.object({ id: z.string(), name: z.string().describe('The display name.'), createdAt: Timestamp });
const TenantJson = TenantSummary.extend({ settings: TenantSettingsView });
const CreateBody = z.object({
  id: z.string().max(63).regex(TENANT_ID, TENANT_ID_RULE).describe('Appears in every URL of the tenant: /t/{id}/…'),
  name: TenantName.optional().describe('The display name (default: the id).'),
  settings: TenantSettingsPatch.optional(),
}).strict();
const UpdateBody = z.object({ name: TenantName.optional(), settings: TenantSettingsPatch.optional() }).strict();
const Cursor = z.object({ id: z.string() });

const tenantOf = ({ params }: { params: { id: string } }) => params.id;

async function tenantJson(ctx: OperationContext, tenant: Tenant | undefined, id = tenant?.id ?? '') {
  const settings = tenant && await getTenantSettings(ctx.db, tenant.id);
  if (!tenant || !settings) throw tenantHidden(id);
  // An ISO string, not a Date: execute() checks the If-Match of a PATCH or DELETE against this
  // answer as it is (not serialized), and the Timestamp schema takes strings only.
  return { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt.toISOString(), settings };
}

/** The tenants whose resources the caller may at least read (approvers manage none). */
function readableTenants(principal: AdminPrincipal): string[] | undefined {
  const visible = visibleTenants(principal);
  return visible && [...visible].filter((t) => authorize(principal, t, read) === 'allowed');
}

const settingsError = (err: unknown) =>
  (err instanceof TenantSettingsError ? new HttpError(400, 'invalid_request', `body.${err.message}`) : err);

/** Which parts an update changed, for the audit event (values stay out: the SMTP URL is a secret). */
function changedFields(body: z.infer<typeof UpdateBody>): string[] {
  return [...(body.name !== undefined ? ['name'] : []), ...Object.keys(body.settings ?? {}).map((k) => `settings.${k}`)];
}

/** Where the deletion of `deleted` is recorded: a tenant the caller's credentials live in, else `admin`. */
async function auditHome(ctx: OperationContext, deleted: string): Promise<string> {
  for (const candidate of [...ctx.principal.grants.map((g) => g.tenant), 'admin']) {
    if (candidate !== deleted && await getTenant(ctx.db, candidate)) return candidate;
  }
  return '';
}

export const operations: Operation[] = [
  defineOperation({
    id: 'tenants.list', method: 'GET', path: '/tenants', scope: 'global', tag: 'tenants',
    summary: 'Tenants the caller may see, by id', access: read,
    query: ListQuery.extend({ q: z.string().trim().min(1).max(100).optional().describe('Part of the id or the name.') }),
    response: listOf(TenantSummary),
    async run({ db, principal }, { query }) {
      const after = decodeCursor(query.cursor, Cursor)?.id;
      const rows = await listTenantsPage(db, { only: readableTenants(principal), q: query.q, after, limit: query.limit + 1 });
      return page(rows, query.limit, (t) => ({ id: t.id }), (t) => ({ id: t.id, name: t.name, createdAt: t.createdAt }));
    },
  }),
  defineOperation({
    id: 'tenants.create', method: 'POST', path: '/tenants', scope: 'global', tag: 'tenants',
    summary: 'Create a tenant (with the default trees); super-admin only', access: write,
    body: CreateBody, response: TenantJson, status: 201,
    async run(ctx, { body }) {
      try {
        if (body.settings) checkSettingsPatch(body.settings);
      } catch (err) {
        throw settingsError(err);
      }
      let tenant: Tenant;
      try {
        tenant = await createTenant(ctx.db, body.id, body.name ?? body.id);
      } catch (err) {
        if (err instanceof TenantExistsError) throw new HttpError(409, 'tenant_exists', `${err.message}.`);
        throw err;
      }
      if (body.settings) tenant = (await updateTenant(ctx.db, tenant.id, { settings: body.settings }))!;
      ctx.note({ tenant: tenant.id, subject: tenant.id, data: { name: tenant.name, fields: changedFields(body) } });
      return tenantJson(ctx, tenant);
    },
  }),
  defineOperation({
    id: 'tenants.get', method: 'GET', path: '/tenants/{id}', scope: 'global', tag: 'tenants',
    summary: 'One tenant with its settings', access: read, params: IdParams, response: TenantJson, tenantOf, etagOf: 'tenants.get',
    async run(ctx, { params }) {
      return tenantJson(ctx, await getTenant(ctx.db, params.id), params.id);
    },
  }),
  defineOperation({
    id: 'tenants.update', method: 'PATCH', path: '/tenants/{id}', scope: 'global', tag: 'tenants',
    summary: 'Change the display name or settings (partial; the SMTP server: super-admin only)', access: write,
    params: IdParams, body: UpdateBody, response: TenantJson, tenantOf, etagOf: 'tenants.get',
    async run(ctx, { params, body }) {
      if (body.settings?.smtp !== undefined && !isSuperAdmin(ctx.principal)) {
        throw new HttpError(403, 'forbidden', 'Only a super-admin may change a tenant\'s SMTP server.');
      }
      let tenant: Tenant | undefined;
      try {
        tenant = await updateTenant(ctx.db, params.id, body);
      } catch (err) {
        throw settingsError(err);
      }
      if (!tenant) throw tenantHidden(params.id);
      ctx.note({ data: { fields: changedFields(body) } });
      return tenantJson(ctx, tenant);
    },
  }),
  defineOperation({
    id: 'tenants.delete', method: 'DELETE', path: '/tenants/{id}', scope: 'global', tag: 'tenants',
    summary: 'Delete a tenant and everything in it; super-admin only', access: write,
    params: IdParams, response: z.undefined(), status: 204, tenantOf, etagOf: 'tenants.get',
    async run(ctx, { params }) {
      if (!isSuperAdmin(ctx.principal)) throw new HttpError(403, 'forbidden', 'Only a super-admin may delete a tenant.');
      if (ctx.principal.grants.some((g) => g.tenant === params.id)) {
        throw new HttpError(409, 'own_tenant', 'Your own credentials belong to this tenant: delete it with credentials of another tenant.');
      }
      const tenant = await getTenant(ctx.db, params.id);
      if (!tenant) throw tenantHidden(params.id);
      const home = await auditHome(ctx, tenant.id);
      if (!(await deleteTenant(ctx.db, tenant.id))) throw tenantHidden(params.id);
      ctx.note({ tenant: home, subject: tenant.id, data: { name: tenant.name } });
      return undefined;
    },
  }),
];
