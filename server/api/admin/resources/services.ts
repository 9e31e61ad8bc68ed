// Services of the legacy login protocol (what may call /account/v1.0/authenticate):
//   GET    /services         by name; `?name=` the one so named
//   POST   /services         { name } → 201 with the service token, in this answer only
//   GET    /services/{id}    never the token (only its hash is kept)
//   DELETE /services/{id}    204; the token stops working at once
// Rules: a malformed name answers 400; a name already registered 409 `service_exists`; `{id}` is
// the registration's uuid (anything else is unknown: 404). Audit events name the service, never its token.
import { z } from 'zod';
import {
  getServiceById, LegacyServiceConflictError, LegacyServiceInputError, listServicesPage, registerService, SERVICE_NAME,
  unregisterServiceById, type LegacyService,
} from '../../../../core/legacy/legacy-services.ts';
import { getTenant } from '../../../../core/tenants/tenants.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { tenantHidden } from '../execute.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { decodeCursor, ListQuery, listOf, page } from '../pagination.ts';
import { IdParams, isUuid, Timestamp } from '../schemas.ts';

const Name = z.string().regex(SERVICE_NAME, '1-63 letters, digits, dots, dashes or underscores, starting with a letter or digit');
const ServiceJson = z.object({ id: z.uuid(), name: z.string(), createdAt: Timestamp });
const Cursor = z.object({ name: z.string().max(63) });

const serviceJson = (s: LegacyService) => ({ id: s.id, name: s.name, createdAt: s.createdAt });
const noSuchService = () => notFound('No such service.');
const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

export const operations: Operation[] = [
  defineOperation({
    id: 'services.list', method: 'GET', path: '/services', scope: 'tenant', tag: 'services', summary: 'Legacy login services, by name',
    access: read, query: ListQuery.extend({ name: z.string().max(63).optional().describe('Only the service of this name.') }),
    response: listOf(ServiceJson),
    async run({ db, tenant }, { query }) {
      const after = decodeCursor(query.cursor, Cursor)?.name;
      const rows = await listServicesPage(db, tenant, { name: query.name, after, limit: query.limit + 1 });
      return page(rows, query.limit, (s) => ({ name: s.name }), serviceJson);
    },
  }),
  defineOperation({
    id: 'services.create', method: 'POST', path: '/services', scope: 'tenant', tag: 'services',
    summary: 'Register a legacy login service (its token is shown once)', access: write,
    body: z.object({ name: Name }).strict(), status: 201,
    response: ServiceJson.extend({ token: z.string().describe('The service token: shown in this answer and never again.') }),
    async run(ctx, { body }) {
      if (!(await getTenant(ctx.db, ctx.tenant))) throw tenantHidden(ctx.tenant);
      try {
        const service = await registerService(ctx.db, ctx.tenant, body.name);
        ctx.note({ subject: service.id, data: { name: service.name } });
        return { ...serviceJson(service), token: service.token };
      } catch (err) {
        if (err instanceof LegacyServiceConflictError) throw new HttpError(409, 'service_exists', err.message);
        if (err instanceof LegacyServiceInputError) throw new HttpError(400, 'invalid_request', err.message);
        throw err;
      }
    },
  }),
  defineOperation({
    id: 'services.get', method: 'GET', path: '/services/{id}', scope: 'tenant', tag: 'services', summary: 'One legacy login service',
    access: read, params: IdParams, response: ServiceJson, etagOf: 'services.get',
    async run({ db, tenant }, { params }) {
      const service = isUuid(params.id) ? await getServiceById(db, tenant, params.id) : undefined;
      if (!service) throw noSuchService();
      return serviceJson(service);
    },
  }),
  defineOperation({
    id: 'services.delete', method: 'DELETE', path: '/services/{id}', scope: 'tenant', tag: 'services',
    summary: 'Unregister a legacy login service (its token stops working)', access: write, params: IdParams,
    response: z.undefined(), status: 204, etagOf: 'services.get',
    async run(ctx, { params }) {
      const service = isUuid(params.id) ? await unregisterServiceById(ctx.db, ctx.tenant, params.id) : undefined;
      if (!service) throw noSuchService();
      ctx.note({ data: { name: service.name } });
      return undefined;
    },
  }),
];
