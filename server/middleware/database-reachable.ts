// Before a journey starts or takes an answer: is the database reachable? The workflow's activities
// write to it, and while it is down they retry until it is back, so the HTTP request would hang
// on the update meanwhile (and a start could leave a journey behind whose first step never ran).
// One cheap query answers that question first: when it fails, the error handler turns the
// connection error into 503 + Retry-After (core/infra/unavailable.ts) and nothing was written.
import type { RequestHandler } from 'express';
import type { Db } from '../../core/infra/db.ts';

export function databaseReachable(db: Db): RequestHandler {
  return async (_req, _res, next) => {
    await db`SELECT 1`;
    next();
  };
}
