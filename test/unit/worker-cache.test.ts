// TESSERA_WORKER_CACHED_WORKFLOWS (core/infra/worker-cache.ts): a bounded workflow cache by
// default, malformed values refused by name, and never more concurrent tasks than cache slots.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/infra/config.ts';
import { workerCacheOptions } from '../../core/infra/worker-cache.ts';

describe('worker workflow cache', () => {
  it('is 250 unless set, and takes 0 or an integer >= 2', () => {
    expect(loadConfig({}).workerCachedWorkflows).toBe(250);
    expect(loadConfig({ TESSERA_WORKER_CACHED_WORKFLOWS: '1000' }).workerCachedWorkflows).toBe(1000);
    expect(loadConfig({ TESSERA_WORKER_CACHED_WORKFLOWS: '0' }).workerCachedWorkflows).toBe(0);
    for (const bad of ['1', '-5', '2.5', 'lots']) {
      expect(() => loadConfig({ TESSERA_WORKER_CACHED_WORKFLOWS: bad })).toThrow(/TESSERA_WORKER_CACHED_WORKFLOWS/);
    }
  });

  it('runs no more workflow tasks at once than it can cache', () => {
    expect(workerCacheOptions(250)).toEqual({ maxCachedWorkflows: 250, maxConcurrentWorkflowTaskExecutions: 40 });
    expect(workerCacheOptions(10)).toEqual({ maxCachedWorkflows: 10, maxConcurrentWorkflowTaskExecutions: 10 });
    expect(workerCacheOptions(0).maxCachedWorkflows).toBe(0);
  });
});
