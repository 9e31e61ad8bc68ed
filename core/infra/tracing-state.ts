// Whether this process exports traces: decided once, from OTEL_EXPORTER_OTLP_ENDPOINT, so that the
// Temporal interceptors are only installed where spans go somewhere.
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}
