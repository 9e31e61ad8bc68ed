// CORS for the Journey API, for the tenant's own login UI only (core/tenants/tenant-ui.ts). Rules:
// - only a request whose Origin is exactly the origin of the tenant's loginUrl gets
//   Access-Control-Allow-Origin (that origin, never `*`) with credentials; any other origin, or a
//   tenant without its own UI, gets no CORS header at all, so the browser withholds the answer;
// - a preflight (OPTIONS with Access-Control-Request-Method) from that origin is answered 204
//   with the methods and the one request header the API uses; from anywhere else 403, no headers;
// - `Vary: Origin` on every answer the origin could change.
import type { RequestHandler } from 'express';
import type { Db } from '../../core/infra/db.ts';
import { uiOrigin } from '../../core/tenants/tenant-ui.ts';
import { tenantUi } from '../tenant-ui.ts';

const METHODS = 'GET, POST';
const HEADERS = 'content-type';
const MAX_AGE_S = '600';

export function journeyCors(db: Db): RequestHandler {
  return async (req, res, next) => {
    const origin = req.get('origin');
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;
    if (origin === undefined && !preflight) return next();
    res.vary('Origin');
    const allowed = uiOrigin(await tenantUi(db, req.tenant!.id));
    if (origin === undefined || allowed === undefined || origin !== allowed) {
      return preflight ? void res.status(403).end() : next();
    }
    res.setHeader('Access-Control-Allow-Origin', allowed);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (!preflight) {
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
      return next();
    }
    res.setHeader('Access-Control-Allow-Methods', METHODS);
    res.setHeader('Access-Control-Allow-Headers', HEADERS);
    res.setHeader('Access-Control-Max-Age', MAX_AGE_S);
    res.status(204).end();
  };
}
