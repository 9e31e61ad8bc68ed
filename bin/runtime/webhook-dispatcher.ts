// Turns the webhook outbox into delivery workflows: every worker process polls the outbox and,
// for each event not yet dispatched, starts one webhookDeliveryWorkflow per enabled webhook that
// wants its type, then marks the event dispatched.
// Rules: the workflow id is (webhook, event), and a run that exists or has finished is never
// started again, so several dispatchers (several workers) or one that crashed between starting
// and marking never deliver twice; a delivery already closed in webhook_deliveries is skipped too
// (after Temporal has forgotten its run). Dispatched events are kept a little longer than the
// longest dead-letter time (a retry reads the event), then pruned.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../../core/infra/db.ts';
import { parseDuration } from '../../core/infra/duration.ts';
import { openDelivery } from '../../core/webhooks/deliveries.ts';
import {
  WEBHOOK_DELIVERY_WORKFLOW, webhookDeliveryWorkflowId, type WebhookDeliveryInput,
} from '../../workflows/webhook-delivery-contracts.ts';
import { logger } from '../../core/infra/logger.ts';

export const DEFAULT_RETRY_BASE = '10s';
const KEEP_DISPATCHED = "8 days";
const PRUNE_EVERY_MS = 3_600_000;

/** TESSERA_WEBHOOK_RETRY_BASE (a duration, e.g. 10s): the wait before the first retry. @throws for a bad value. */
export function webhookRetryBaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = parseDuration(env.TESSERA_WEBHOOK_RETRY_BASE ?? DEFAULT_RETRY_BASE);
  if (ms < 100) throw new Error('TESSERA_WEBHOOK_RETRY_BASE must be at least 100ms');
  return ms;
}

export interface DispatcherOptions {
  db: Db;
  temporal: Client;
  taskQueue: string;
  retryBaseMs: number;
  pollMs?: number;
  batch?: number;
}

/** Starts the delivery workflows of one outbox event; returns how many it started or found. */
async function dispatchEvent(o: DispatcherOptions, e: Record<string, any>): Promise<number> {
  const hooks = await o.db`SELECT id, dead_letter_after_ms FROM webhooks
    WHERE tenant_id = ${e.tenant_id} AND enabled AND ${e.type}::text = ANY (event_types)`;
  let started = 0;
  for (const hook of hooks) {
    const status = await openDelivery(o.db, { tenant: e.tenant_id, webhookId: hook.id, eventId: e.event_id, eventType: e.type });
    if (status !== 'pending') continue;
    const input: WebhookDeliveryInput = {
      tenant: e.tenant_id, webhookId: hook.id, eventId: e.event_id, eventType: e.type,
      retryBaseMs: o.retryBaseMs, deadLetterAfterMs: Number(hook.dead_letter_after_ms),
    };
    try {
      await o.temporal.workflow.start(WEBHOOK_DELIVERY_WORKFLOW, {
        workflowId: webhookDeliveryWorkflowId(input), taskQueue: o.taskQueue, args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    started++;
  }
  await o.db`UPDATE webhook_outbox SET dispatched_at = now() WHERE event_id = ${e.event_id} AND dispatched_at IS NULL`;
  return started;
}

/** One pass over the undispatched events, oldest first; returns how many workflows it started or found. */
export async function dispatchWebhooks(o: DispatcherOptions): Promise<number> {
  const events = await o.db`SELECT event_id, tenant_id, type FROM webhook_outbox
    WHERE dispatched_at IS NULL ORDER BY id LIMIT ${o.batch ?? 100}`;
  let started = 0;
  for (const e of events) started += await dispatchEvent(o, e);
  return started;
}

export interface RunningDispatcher { stop(): Promise<void> }

/** Polls until stopped; a failed pass (database or Temporal away) is logged and retried on the next. */
export function startWebhookDispatcher(o: DispatcherOptions): RunningDispatcher {
  let stopped = false;
  let wake: (() => void) | undefined;
  let lastPrune = 0;
  const loop = (async () => {
    while (!stopped) {
      try {
        await dispatchWebhooks(o);
        if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
          lastPrune = Date.now();
          await o.db`DELETE FROM webhook_outbox WHERE dispatched_at < now() - ${KEEP_DISPATCHED}::interval`;
        }
      } catch (err) {
        if (!stopped) logger.error(`[webhooks] dispatch failed: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.pollMs ?? 1000);
        wake = () => { clearTimeout(timer); resolve(); };
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
