// One tenant's looping scripts must not slow another tenant's: the sandbox serves tenants in turn
// and caps each tenant's queue, so a script of tenant B waits for at most about one of tenant
// A's scripts, not for A's whole backlog, and A filling its queue does not make B's busy.
import { afterAll, expect, it } from 'vitest';
import { closeSandbox, runScript } from '../../core/journeys/script-sandbox.ts';

afterAll(() => closeSandbox());

const LOOP_MS = 200;
const loop = (tenant: string) => runScript({ source: 'while (true) {}', context: {}, timeoutMs: LOOP_MS, tenant });

it('runs another tenant\'s script ahead of one tenant\'s backlog of looping scripts', async () => {
  expect(await runScript({ source: "return 'warm'", context: {}, tenant: 'b' })).toEqual({ ok: true, value: 'warm' });
  const backlog = Array.from({ length: 40 }, () => loop('a'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  const result = await runScript({ source: "return 'ok'", context: {}, tenant: 'b' });
  const waited = performance.now() - started;
  expect(result).toEqual({ ok: true, value: 'ok' });
  // Behind the backlog it would wait 40 × 200 ms over the threads (≥ 4 s); in turn, about one script.
  expect(waited).toBeLessThan(1500);
  const outcomes = await Promise.all(backlog);
  expect(outcomes.every((o) => !o.ok && o.reason === 'timeout')).toBe(true);
}, 30_000);

it('keeps one tenant from filling the queue for everyone', async () => {
  const flood = Array.from({ length: 300 }, () => runScript({ source: 'while (true) {}', context: {}, timeoutMs: 5, tenant: 'a' }));
  expect(await runScript({ source: "return 'ok'", context: {}, tenant: 'b' })).toEqual({ ok: true, value: 'ok' });
  const busy = (await Promise.all(flood)).filter((o) => !o.ok && o.reason === 'busy');
  // Half the queue is the most one tenant may fill (two more may already be running).
  expect(busy.length).toBeGreaterThanOrEqual(300 - 250 - 2);
}, 60_000);
