// OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
// is set: a NodeTracerProvider exporting over OTLP/HTTP, HTTP server spans for every request, and
// the parts the Temporal worker needs to trace workflows (a sink fed by the same span processor).
// The OTEL_* variables (service name, headers, sampler) are the standard ones the SDK reads.
// Must run before the HTTP server starts: bin/tessera.js starts it before loading anything else.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { setActiveTracing, tracingEnabled } from './tracing-state.ts';

export interface Tracing { provider: NodeTracerProvider; spanProcessor: SpanProcessor; resource: Resource }

let started: Tracing | undefined;

/** Paths scraped or probed often: no span for them. */
const UNTRACED = /^\/(?:metrics|healthz)(?:\?|$)/;

/** Starts tracing when configured; returns undefined (and does nothing) otherwise. Idempotent. */
export function startTracing(env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (started || !tracingEnabled(env)) return started;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || 'tessera' });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED.test(req.url ?? '') })],
  });
  // The instrumentation patches `http` when it is required; Tessera imports it as an ES module,
  // so require it once here: the server prototype it patches is the one every import shares.
  createRequire(import.meta.url)('node:http');
  started = { provider, spanProcessor, resource };
  setActiveTracing(started);
  return started;
}

/** Sends what is buffered and stops; for the orderly shutdown. */
export async function stopTracing(): Promise<void> {
  await started?.provider.shutdown();
  started = undefined;
  setActiveTracing(undefined);
}
