// Resolves /t/{tenant}: unknown tenants are a 404 in JSON. Tenants are cached for a few seconds
// because every request needs one and they rarely change.
import type { RequestHandler } from 'express';
import type { Db } from '../../core/infra/db.ts';
import { getTenant, type Tenant } from '../../core/tenants/tenants.ts';
import { HttpError } from '../http-error.ts';
import { addLogContext } from '../../core/infra/log-context.ts';

const TTL_MS = 5000;

declare module 'express-serve-static-core' {
  interface Request { tenant?: Tenant }
}

export function loadTenant(db: Db): RequestHandler {
  const cache = new Map<string, { tenant: Tenant | undefined; until: number }>();
  return async (req, _res, next) => {
    const id = String(req.params.tenant);
    let hit = cache.get(id);
    if (!hit || hit.until < Date.now()) {
      hit = { tenant: await getTenant(db, id), until: Date.now() + TTL_MS };
      if (cache.size > 10_000) cache.clear();
      // Only known tenants are cached, so a tenant is usable the moment it is created.
      if (hit.tenant) cache.set(id, hit);
    }
    if (!hit.tenant) return next(new HttpError(404, 'tenant_not_found', `There is no tenant "${id.slice(0, 64)}".`));
    req.tenant = hit.tenant;
    addLogContext({ tenant: id });
    next();
  };
}
