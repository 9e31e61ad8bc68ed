// How many journeys a worker keeps in memory between steps. The SDK's default sizes its workflow
// cache from the heap limit (thousands on a large machine), and each cached journey holds its
// sandbox state: measured at ~400 KB per open journey, so a few thousand people halfway through
// a login took the worker past 1 GB. A journey evicted from the cache is rebuilt by replaying
// its history at its next step (a few ms of worker CPU; the bench's BENCH_OPEN_JOURNEYS phase
// measures both), so the bound trades a little CPU on long-idle journeys for flat memory. Rules:
// - TESSERA_WORKER_CACHED_WORKFLOWS, default 250, an integer >= 2, or 0 for no cache at all
//   (every step replays; for tests of replay, not for production);
// - the worker never runs more workflow tasks at once than it can cache (the SDK's own rule).
const DEFAULT_CACHED = 250;
const MAX_CONCURRENT_TASKS = 40; // the SDK's default

/** @throws Error naming the variable when it is not 0 or an integer >= 2. */
export function workerCachedWorkflows(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_CACHED;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n === 1) throw new Error(`TESSERA_WORKER_CACHED_WORKFLOWS must be 0 or an integer >= 2, got "${value}"`);
  return n;
}

/** The worker options for a cache of `cached` workflows. */
export function workerCacheOptions(cached: number): { maxCachedWorkflows: number; maxConcurrentWorkflowTaskExecutions: number } {
  return { maxCachedWorkflows: cached, maxConcurrentWorkflowTaskExecutions: cached === 0 ? MAX_CONCURRENT_TASKS : Math.min(MAX_CONCURRENT_TASKS, cached) };
}
