// Tracing with OTEL_EXPORTER_OTLP_ENDPOINT set: one journey start through `tessera server` and
// `tessera worker` arrives at a real OTLP receiver as one trace — the server's HTTP span, the
// Temporal client's span, the workflow's and the activities' — and the server's log line of that
// request names the same trace id.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../core/infra/db.ts';
import { tenantWithUser, testDb } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { jsonLines, startObservedProcesses, type ObservedProcesses } from '../support/observed-processes.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { killAll, removeDir, sleep } from '../support/processes.ts';

let db: Db;
let receiver: OtlpReceiver;
let procs: ObservedProcesses;

beforeAll(async () => {
  db = testDb();
  receiver = await startOtlpReceiver();
  procs = await startObservedProcesses({
    both: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
    server: { OTEL_SERVICE_NAME: 'tessera-server' },
    worker: { OTEL_SERVICE_NAME: 'tessera-worker', LOG_LEVEL: 'debug' },
  });
});
afterAll(async () => {
  await killAll();
  await removeDir(procs?.dataDir);
  await receiver?.close();
  await db?.end();
});

async function spansOf(traceId: string, wanted: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 100; i++) {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    if (wanted(spans)) return spans;
    await sleep(200);
  }
  throw new Error(`incomplete trace ${traceId}: ${JSON.stringify(receiver.spans.filter((s) => s.traceId === traceId).map((s) => `${s.service} ${s.name}`))}`);
}

it('follows a journey from its start request through the Temporal client into the workflow and its activities', async () => {
  const { tenant, login, password } = await tenantWithUser(db);
  const api = new JourneyApi(procs.url, tenant);
  const started = await api.start();
  expect(started.status).toBe(201);
  const requestId = started.headers.get('x-request-id');
  await api.submit({ username: login });
  // The workflow's own span ends with the workflow: finish the journey.
  expect((await api.submit({ password })).body.status).toBe('succeeded');

  let line: Record<string, any> | undefined;
  for (let i = 0; i < 50 && !line; i++, await sleep(100)) line = jsonLines(procs.server).find((l) => l.requestId === requestId);
  expect(line?.traceId).toMatch(/^[0-9a-f]{32}$/);
  const traceId = line!.traceId as string;

  const has = (spans: ReceivedSpan[], service: string, name: RegExp) => spans.some((s) => s.service === service && name.test(s.name));
  const spans = await spansOf(traceId, (s) => has(s, 'tessera-server', /^POST/) && has(s, 'tessera-server', /^UpdateWithStartWorkflow:/)
    && has(s, 'tessera-worker', /^RunWorkflow:journeyWorkflow$/) && has(s, 'tessera-worker', /^RunActivity:advanceJourney$/));
  const http = spans.find((s) => s.service === 'tessera-server' && /^POST/.test(s.name))!;
  expect(http.kind).toBe(2); // SERVER
  expect(http.parentSpanId).toBeUndefined();
  // Every other span of the trace hangs off a span of the same trace: the context crossed the
  // process boundary (Temporal headers) and the workflow sandbox (the exporter sink).
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of spans.filter((s) => s !== http)) expect(ids, `${span.service} ${span.name}`).toContain(span.parentSpanId);
  const client = spans.find((s) => /^UpdateWithStartWorkflow:/.test(s.name))!;
  expect(client.parentSpanId).toBe(http.spanId);

  // The worker's log lines of that journey's first activity carry the same trace id.
  const activityLine = jsonLines(procs.worker).find((l) => l.msg === 'activity' && l.journeyId === api.journey!.id && l.activity === 'advanceJourney');
  expect(activityLine).toMatchObject({ tenant, traceId });
});

it('sends no spans for /metrics and /healthz scrapes', async () => {
  const before = receiver.spans.length;
  await fetch(`${procs.url}/healthz`);
  await fetch(`${procs.url}/metrics`);
  await sleep(2500);
  expect(receiver.spans.slice(before).filter((s) => /metrics|healthz/.test(JSON.stringify(s.attributes)))).toEqual([]);
});
