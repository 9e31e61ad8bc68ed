// What every Temporal client of Tessera (server, CLI, activities) runs its calls through: a count
// of failed calls (tessera_temporal_client_errors_total) and, when tracing is on, the SDK's
// OpenTelemetry interceptor that carries the trace into workflows and activities as a header.
// Not counted: answers about the workflow rather than failures of the client (not found, already
// started, an update the workflow refused).
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import { temporalClientErrors } from './metrics.ts';
import { tracingEnabled } from './tracing-state.ts';

const ANSWERS = new Set(['WorkflowNotFoundError', 'WorkflowExecutionAlreadyStartedError', 'WorkflowUpdateFailedError', 'QueryRejectedError']);

const OPERATIONS = ['start', 'startWithDetails', 'startUpdate', 'startUpdateWithStart', 'signal', 'signalWithStart', 'query', 'terminate', 'cancel', 'describe'] as const;

function counted<T>(operation: string, call: () => Promise<T>): Promise<T> {
  return call().catch((err: unknown) => {
    const name = err instanceof Error ? err.constructor.name || err.name : 'unknown';
    if (!ANSWERS.has(name)) temporalClientErrors.inc({ operation, error: name.slice(0, 60) });
    throw err;
  });
}

function errorCounter(): WorkflowClientInterceptor {
  const interceptor: Record<string, unknown> = {};
  for (const operation of OPERATIONS) {
    interceptor[operation] = (input: unknown, next: (input: unknown) => Promise<unknown>) => counted(operation, () => next(input));
  }
  return interceptor as WorkflowClientInterceptor;
}

export function clientInterceptors(): WorkflowClientInterceptor[] {
  return tracingEnabled() ? [errorCounter(), new OpenTelemetryWorkflowClientInterceptor()] : [errorCounter()];
}
