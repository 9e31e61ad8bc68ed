// The Prometheus metrics of one process (server, worker, or both in `tessera start`). Who counts
// what, so that sums over all processes are right:
// - journeys started: the server, once Temporal has taken the start (server/api/journeys/journey-client.ts);
// - journeys succeeded / failed / expired: the worker, when the journey's end is recorded
//   (activities/journey.ts recordJourneyEnd); a `tessera worker` serves them on WORKER_METRICS_PORT;
// - step latency, token grants, Temporal client errors: the process that serves the request;
// - activity durations: the worker; database connections and process memory: every process.
// Label values come from validated input only (tenants and trees that exist, fixed grant types).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from './db.ts';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export type JourneyMetricStatus = 'started' | 'succeeded' | 'failed' | 'expired';

export const journeysTotal = new Counter({
  name: 'tessera_journeys_total',
  help: 'Journeys by tenant, kind, tree and status (started, succeeded, failed, expired).',
  labelNames: ['tenant', 'kind', 'tree', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'tessera_http_request_duration_seconds',
  help: 'HTTP requests served by method and status code.',
  labelNames: ['method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const stepDuration = new Histogram({
  name: 'tessera_journey_step_duration_seconds',
  help: 'Time the server waits for a journey to answer a start or a submitted step (the next view).',
  labelNames: ['operation', 'outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const activityDuration = new Histogram({
  name: 'tessera_activity_duration_seconds',
  help: 'Activity executions on this worker by activity and outcome.',
  labelNames: ['activity', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const tokenGrants = new Counter({
  name: 'tessera_token_grants_total',
  help: 'Token endpoint grants by tenant, grant type and outcome (success, error).',
  labelNames: ['tenant', 'grant_type', 'outcome'] as const,
  registers: [registry],
});

export const temporalClientErrors = new Counter({
  name: 'tessera_temporal_client_errors_total',
  help: 'Calls of the Temporal client that failed, by operation and error class (workflow refusals excluded).',
  labelNames: ['operation', 'error'] as const,
  registers: [registry],
});

const dbPoolMax = new Gauge({
  name: 'tessera_db_pool_max',
  help: 'Connections this process may open to PostgreSQL.',
  registers: [registry],
});

// postgres.js keeps its pool state private: the connections are read from the database's own
// view (pg_stat_activity), those of every Tessera process on this database (application_name).
const dbConnections = new Gauge({
  name: 'tessera_db_connections',
  help: 'Tessera connections to the database by state: active, idle, waiting (on a lock).',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    if (!observed) return;
    this.reset();
    try {
      const [row] = await observed`SELECT count(*) FILTER (WHERE state = 'active' AND wait_event_type IS DISTINCT FROM 'Lock')::int AS active,
          count(*) FILTER (WHERE state LIKE 'idle%')::int AS idle,
          count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting
        FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${DB_APPLICATION_NAME}`;
      for (const state of ['active', 'idle', 'waiting'] as const) this.set({ state }, Number(row?.[state] ?? 0));
    } catch {
      // The database is down: /healthz says so; the gauge stays empty rather than failing the scrape.
    }
  },
});

/** The application_name Tessera's connections carry (core/infra/db.ts). */
export const DB_APPLICATION_NAME = 'tessera';

let observed: Db | undefined;

/** Reports `db`'s pool size and the database's Tessera connections. */
export function observeDatabase(db: Db): void {
  observed = db;
  dbPoolMax.set(Number((db.options as { max?: number }).max ?? 0));
}

const JOURNEY_STATUSES: readonly string[] = ['started', 'succeeded', 'failed', 'expired'] satisfies JourneyMetricStatus[];

/** Counts one journey event (other statuses are ignored); kind and tree as the journey was started with. */
export function countJourney(tenant: string, kind: string, tree: string, status: string): void {
  if (JOURNEY_STATUSES.includes(status)) journeysTotal.inc({ tenant, kind, tree, status });
}
