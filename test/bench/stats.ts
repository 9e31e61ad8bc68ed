// Latency samples and their percentiles (nearest-rank), in milliseconds.
export class Samples {
  readonly #values: number[] = [];

  add(ms: number): void {
    this.#values.push(ms);
  }

  get count(): number {
    return this.#values.length;
  }

  /** Nearest-rank percentile (p in 0..100); NaN when there are no samples. */
  percentile(p: number): number {
    if (this.#values.length === 0) return NaN;
    const sorted = [...this.#values].sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[Math.min(rank, sorted.length) - 1]!;
  }

  mean(): number {
    if (this.#values.length === 0) return NaN;
    return this.#values.reduce((a, b) => a + b, 0) / this.#values.length;
  }

  summary(): LatencySummary {
    return { count: this.count, p50: this.percentile(50), p95: this.percentile(95), p99: this.percentile(99), mean: this.mean(), max: this.percentile(100) };
  }
}

export interface LatencySummary { count: number; p50: number; p95: number; p99: number; mean: number; max: number }

/** Milliseconds since an arbitrary origin, from the monotonic clock. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
