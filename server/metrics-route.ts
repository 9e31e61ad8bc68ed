// GET /metrics (Prometheus text format). With METRICS_TOKEN set, only `Authorization: Bearer
// <token>` may read it (compared in constant time; anything else is a 401 that tells nothing);
// unset, it is open, for a scraper on a private network.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Db } from '../core/infra/db.ts';
import { observeDatabase, registry } from '../core/infra/metrics.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `authorization` is exactly "Bearer <token>"; both sides hashed so lengths leak nothing. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  return timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${token}`));
}

export function metricsRoute(db: Db, token: string | undefined): RequestHandler {
  observeDatabase(db);
  return async (req, res) => {
    if (token && !bearerMatches(req.headers.authorization, token)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"').status(401).json({ error: { code: 'unauthorized', message: 'A valid metrics token is required.' } });
      return;
    }
    res.set('Content-Type', registry.contentType).set('Cache-Control', 'no-store').send(await registry.metrics());
  };
}
