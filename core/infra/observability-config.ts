// The operations settings (README "Logs, metrics and traces"), read with the rest of the Config.
// LOG_LEVEL and OTEL_* are read where the logger and tracer start, before any Config exists.
export interface ObservabilityConfig {
  /** METRICS_TOKEN: bearer token GET /metrics requires; unset, /metrics is open (private network). */
  metricsToken?: string;
  /** WORKER_METRICS_PORT: where `tessera worker` serves its own /metrics; unset, it serves none. */
  workerMetricsPort?: number;
}

/** @throws Error naming the variable when one is malformed. */
export function observabilityConfig(env: NodeJS.ProcessEnv): ObservabilityConfig {
  const token = env.METRICS_TOKEN?.trim();
  if (token !== undefined && token !== '' && token.length < 16) throw new Error('METRICS_TOKEN must be at least 16 characters');
  const port = env.WORKER_METRICS_PORT?.trim() ? Number(env.WORKER_METRICS_PORT) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`WORKER_METRICS_PORT must be a port number, got "${env.WORKER_METRICS_PORT}"`);
  }
  return { metricsToken: token || undefined, workerMetricsPort: port };
}
