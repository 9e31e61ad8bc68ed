// Webhook deliveries survive `kill -9` of the worker process (a real `tessera worker`, which runs
// the outbox dispatcher and the delivery workflows): a delivery waiting for its next retry is
// delivered once by the next worker, even when the dead worker's dispatcher never marked the event
// dispatched; a POST cut off mid-flight is sent again with the same event id (at least once: the
// receiver drops the repeat by Tessera-Event-Id), and the delivery is still recorded once.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import { recordAudit } from '../../core/infra/audit.ts';
import { createTenant } from '../../core/tenants/tenants.ts';
import { createWebhook } from '../../core/webhooks/webhooks.ts';
import { verifySignature } from '../../core/webhooks/signature.ts';
import { webhookDeliveryWorkflowId } from '../../workflows/webhook-delivery-contracts.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { testClient, testConfig, testDb, uniqueTenantId } from '../support/harness.ts';
import { eventually, WebhookReceiver } from '../support/webhook-receiver.ts';

const CLI = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const db = testDb();
const config = testConfig();
const receiver = new WebhookReceiver();
const children: ChildProcess[] = [];

function spawnWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    env: {
      ...process.env, DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: config.temporalAddress, TEMPORAL_TASK_QUEUE: config.taskQueue,
      TESSERA_CODEC_KEYS: TEST_CODEC_KEYS, DATA_DIR: inject('scratchDir'), TEMPORAL_CLI_PATH: inject('temporalCliPath'),
      TESSERA_WEBHOOK_RETRY_BASE: '500ms',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 90_000);
    child.stdout!.on('data', (d) => {
      output += d;
      if (output.includes('Worker polling')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}): ${output}`));
    });
  });
}

async function killHard(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

beforeAll(() => receiver.start());
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await receiver.stop();
  await db.end();
});

/** A tenant with one webhook for user.created at `path`, and one such event recorded. */
async function eventFor(path: string) {
  const tenant = uniqueTenantId('whf');
  await createTenant(db, tenant);
  const hook = await createWebhook(db, tenant, { url: `${receiver.url}${path}`, eventTypes: ['user.created'] });
  await recordAudit(db, { tenant, type: 'admin.users.create', actor: 'test', subject: randomUUID() });
  return { tenant, hook };
}

it('delivers once after the worker is killed while a delivery waits to retry', async () => {
  let open = false;
  receiver.answer('/retrying', () => (open ? 200 : 500));
  const first = await spawnWorker();
  const { hook } = await eventFor('/retrying');
  await eventually('a failed attempt', () => receiver.at('/retrying').length >= 1, 60_000);
  const eventId = receiver.at('/retrying')[0]!.event.id as string;

  await killHard(first);
  // As if it had died between starting the workflow and marking the event dispatched.
  await db`UPDATE webhook_outbox SET dispatched_at = NULL WHERE event_id = ${eventId}`;
  open = true;
  await spawnWorker();
  await eventually('a 2xx', () => receiver.at('/retrying').some((r) => r.answered === 200), 60_000);
  await eventually('dispatched again', async () => (await db`SELECT 1 FROM webhook_outbox WHERE event_id = ${eventId} AND dispatched_at IS NOT NULL`).length, 30_000);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(receiver.at('/retrying').filter((r) => r.answered === 200)).toHaveLength(1);
  const [row] = await db`SELECT status, attempts FROM webhook_deliveries WHERE webhook_id = ${hook.id}`;
  expect(row).toMatchObject({ status: 'delivered' });
  const client = await testClient(config);
  try {
    const history = await client.workflow.getHandle(webhookDeliveryWorkflowId({ webhookId: hook.id, eventId })).fetchHistory();
    const starts = history.events!.filter((e) => e.workflowExecutionStartedEventAttributes);
    expect(starts).toHaveLength(1);
  } finally {
    await client.connection.close();
  }
}, 240_000);

it('sends a POST cut off by the crash again with the same event id, and records one delivery', async () => {
  let hold = true;
  // The first request is never answered while the worker lives; later ones are.
  receiver.answer('/in-flight', (_r, seen) => (hold && !seen.some((s) => s.path === '/in-flight') ? 0 : 200));
  const first = await spawnWorker();
  const { hook } = await eventFor('/in-flight');
  await eventually('the POST in flight', () => receiver.pending('/in-flight') >= 1, 60_000);
  await killHard(first);
  hold = false;
  receiver.release('/in-flight', 200);
  await spawnWorker();
  // The activity's start-to-close timeout (15 s) has to pass before Temporal retries the attempt.
  await eventually('the repeated POST', () => receiver.at('/in-flight').length >= 2, 120_000);
  const [cut, repeated] = receiver.at('/in-flight');
  expect(repeated!.event.id).toBe(cut!.event.id);
  expect(repeated!.headers['tessera-event-id']).toBe(cut!.event.id);
  const row = await eventually('delivered', async () => (await db`SELECT status FROM webhook_deliveries WHERE webhook_id = ${hook.id}`).find((r) => r.status === 'delivered'), 30_000);
  expect(row).toBeTruthy();
  expect(await db`SELECT 1 FROM webhook_deliveries WHERE webhook_id = ${hook.id}`).toHaveLength(1);
  expect(verifySignature(hook.secret, String(repeated!.headers['tessera-signature']), repeated!.body)).toBe(true);
}, 240_000);
