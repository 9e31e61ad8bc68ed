// tessera_temporal_client_errors_total counts the Temporal client's failures by operation and
// error class, and not the answers a caller expects (no such workflow, already started).
import { expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/common';
import { clientInterceptors } from '../../core/infra/temporal-client-interceptors.ts';
import { registry } from '../../core/infra/metrics.ts';

async function errors(labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'tessera_temporal_client_errors_total')!;
  return metric.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
}

class ServiceError extends Error {}

it('counts failed calls and passes the error on; not-found answers are not counted', async () => {
  const [counter] = clientInterceptors() as Record<string, (input: unknown, next: (i: unknown) => Promise<unknown>) => Promise<unknown>>[];
  const before = await errors({ operation: 'startUpdate', error: 'ServiceError' });
  const failure = new ServiceError('14 UNAVAILABLE');
  await expect(counter!.startUpdate!({}, async () => { throw failure; })).rejects.toBe(failure);
  await expect(counter!.query!({}, async () => { throw new WorkflowNotFoundError('gone', 'w', undefined); })).rejects.toBeInstanceOf(WorkflowNotFoundError);
  await expect(counter!.signal!({ x: 1 }, async (input) => input)).resolves.toEqual({ x: 1 });
  expect(await errors({ operation: 'startUpdate', error: 'ServiceError' })).toBe(before + 1);
  expect(await errors({ error: 'WorkflowNotFoundError' })).toBe(0);
});
