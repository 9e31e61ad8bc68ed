// GET /healthz: 200 {"status":"ok"} once the database and Temporal answer; 503 naming what is down.
import type { RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Db } from '../core/infra/db.ts';

const TIMEOUT_MS = 2000;

function within<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS).unref())]);
}

export function health(db: Db, temporal: Client): RequestHandler {
  return async (_req, res) => {
    const [database, workflows] = await Promise.allSettled([
      within(db`SELECT 1`),
      within(temporal.workflowService.getSystemInfo({})),
    ]);
    const down = [...(database.status === 'rejected' ? ['database'] : []), ...(workflows.status === 'rejected' ? ['temporal'] : [])];
    if (down.length === 0) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'unavailable', down });
  };
}
