// Whether this process exports traces, and what the worker needs of the running tracer. Kept apart
// from tracing.ts so that a process without tracing never loads the OpenTelemetry SDK.
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Tracing is on when an OTLP endpoint is configured. */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

export interface ActiveTracing { spanProcessor: SpanProcessor; resource: Resource }

let active: ActiveTracing | undefined;

export function activeTracing(): ActiveTracing | undefined {
  return active;
}

export function setActiveTracing(tracing: ActiveTracing | undefined): void {
  active = tracing;
}
