// The Grafana dashboard in deploy/ only asks for what Tessera exports: every expression names at
// least one metric, every metric it names is registered (histograms through their _bucket, _sum
// and _count series), and every label it groups or filters by is one of those metrics' labels.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../core/infra/metrics.ts';
import { ROOT } from '../support/processes.ts';

interface Panel { title: string; targets?: { expr: string }[]; panels?: Panel[] }
const dashboard = JSON.parse(readFileSync(`${ROOT}deploy/grafana/tessera-dashboard.json`, 'utf8')) as { panels: Panel[]; templating: { list: { query: string }[] } };

const panels = (list: Panel[]): Panel[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
const expressions = [
  ...panels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr }))),
  ...dashboard.templating.list.map((v) => ({ where: 'variable', expr: v.query })),
];

/** Every series name the registry exposes, mapped to its labels. */
async function exported(): Promise<Map<string, Set<string>>> {
  const series = new Map<string, Set<string>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const labels = new Set((registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? []);
    const names = String(metric.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => metric.name + s) : [metric.name];
    for (const name of names) series.set(name, name.endsWith('_bucket') ? new Set([...labels, 'le']) : labels);
  }
  return series;
}

const METRIC = /\b((?:tessera|process|nodejs)_[a-z0-9_]+)\b/g;
/** Label names in selectors ({a="x", b=~"y"}) and in by/without clauses. */
function labelsOf(expr: string): string[] {
  const selectors = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!));
  const grouping = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()).filter(Boolean));
  const labelValues = [...expr.matchAll(/label_values\(\s*[\w:]+\s*,\s*(\w+)\s*\)/g)].map((m) => m[1]!);
  return [...selectors, ...grouping, ...labelValues];
}

describe('Grafana dashboard', () => {
  it('has panels with expressions', () => {
    expect(expressions.length).toBeGreaterThan(10);
    for (const { expr } of expressions) expect(expr.trim()).not.toBe('');
  });

  it('names only metrics Tessera registers, with their labels', async () => {
    const series = await exported();
    for (const { where, expr } of expressions) {
      const names = [...expr.matchAll(METRIC)].map((m) => m[1]!);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      const known = new Set(['le', 'instance', 'job']);
      for (const name of names) {
        expect(series.has(name), `${where}: ${name} is not exported`).toBe(true);
        for (const label of series.get(name)!) known.add(label);
      }
      for (const label of labelsOf(expr)) expect(known.has(label), `${where}: label ${label} of ${expr}`).toBe(true);
    }
  });

  it('covers journeys by status, step latency, token grants, Temporal errors, database and memory', () => {
    const all = expressions.map((e) => e.expr).join('\n');
    for (const metric of ['tessera_journeys_total', 'tessera_journey_step_duration_seconds_bucket', 'tessera_token_grants_total',
      'tessera_temporal_client_errors_total', 'tessera_db_connections', 'process_resident_memory_bytes']) {
      expect(all).toContain(metric);
    }
    for (const status of ['started', 'succeeded', 'failed', 'expired']) expect(all).toContain(status);
  });
});
