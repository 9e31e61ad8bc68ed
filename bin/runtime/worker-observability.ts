// What the worker adds for operations: each activity runs in a log context naming its journey
// (the workflow id) and tenant, and is timed (tessera_activity_duration_seconds); with tracing on,
// the SDK's OpenTelemetry interceptors continue the caller's trace into workflows and activities,
// and workflow spans leave the sandbox through the `exporter` sink.
import { createRequire } from 'node:module';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, InjectedSinks, Next, WorkerInterceptors } from '@temporalio/worker';
import {
  makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import { withLogContext, type LogContext } from '../../core/infra/log-context.ts';
import { activityDuration } from '../../core/infra/metrics.ts';
import { logger } from '../../core/infra/logger.ts';
import { activeTracing } from '../../core/infra/tracing-state.ts';

class ObservedActivity implements ActivityInboundCallsInterceptor {
  readonly #ctx: ActivityContext;
  constructor(ctx: ActivityContext) { this.#ctx = ctx; }

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { activityType, workflowType, workflowExecution } = this.#ctx.info;
    // The tenant is the first argument's, or its journey context's (the module chain's calls).
    const first = input.args[0] as { tenant?: unknown; ctx?: { tenant?: unknown } } | undefined;
    const tenant = first?.tenant ?? first?.ctx?.tenant;
    const fields: LogContext = workflowType === 'journeyWorkflow' ? { journeyId: workflowExecution?.workflowId } : { workflowId: workflowExecution?.workflowId };
    if (typeof tenant === 'string') fields.tenant = tenant;
    return withLogContext(fields, async () => {
      const stop = activityDuration.startTimer({ activity: activityType });
      let outcome = 'error';
      try {
        const result = await next(input);
        outcome = 'ok';
        return result;
      } finally {
        const seconds = stop({ outcome });
        logger.debug({ activity: activityType, outcome, ms: Math.round(seconds * 10_000) / 10 }, 'activity');
      }
    });
  }
}

export function workerInterceptors(): WorkerInterceptors {
  const observed = (ctx: ActivityContext) => ({ inbound: new ObservedActivity(ctx) });
  if (!activeTracing()) return { activity: [observed] };
  const traced = (ctx: ActivityContext) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) });
  return { activity: [traced, observed] };
}

/** The workflow span exporter sink; none without tracing. */
export function workerSinks(): InjectedSinks<OpenTelemetrySinks> | undefined {
  const tracing = activeTracing();
  return tracing ? { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } : undefined;
}

/** Modules bundled with the workflows for their interceptors: the SDK's OpenTelemetry ones with tracing. */
export function workflowInterceptorModules(): string[] {
  if (!activeTracing()) return [];
  return [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];
}
