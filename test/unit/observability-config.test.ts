// Operations settings: a metrics token too short to resist guessing, or a worker metrics port that
// is not a port, stops the process at start with the variable named.
import { expect, it } from 'vitest';
import { observabilityConfig } from '../../core/infra/observability-config.ts';
import { bearerMatches } from '../../server/metrics-route.ts';

it('reads METRICS_TOKEN and WORKER_METRICS_PORT', () => {
  expect(observabilityConfig({})).toEqual({ metricsToken: undefined, workerMetricsPort: undefined });
  expect(observabilityConfig({ METRICS_TOKEN: ' ', WORKER_METRICS_PORT: '' })).toEqual({ metricsToken: undefined, workerMetricsPort: undefined });
  expect(observabilityConfig({ METRICS_TOKEN: 'a'.repeat(16), WORKER_METRICS_PORT: '9464' })).toEqual({ metricsToken: 'a'.repeat(16), workerMetricsPort: 9464 });
});

it('refuses a short METRICS_TOKEN and a WORKER_METRICS_PORT that is no port', () => {
  expect(() => observabilityConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16/);
  for (const port of ['x', '70000', '-1', '1.5']) expect(() => observabilityConfig({ WORKER_METRICS_PORT: port })).toThrow(/WORKER_METRICS_PORT must be a port/);
});

it('accepts exactly "Bearer <token>"', () => {
  const token = 'k'.repeat(32);
  expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
  for (const header of [undefined, '', token, `bearer ${token}`, `Bearer ${token} `, `Bearer ${token.slice(1)}`, `Basic ${token}`]) {
    expect(bearerMatches(header, token), String(header)).toBe(false);
  }
});
