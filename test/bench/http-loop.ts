// A closed-loop HTTP load generator light enough to measure thousands of requests per second on
// the same two cores as the server: node:http with keep-alive sockets (fetch costs several times
// more CPU per request), `concurrency` loops each waiting for its answer before the next request.
import { Agent, request } from 'node:http';
import { stopping } from './cleanup.ts';
import { nowMs, Samples, type LatencySummary } from './stats.ts';

export interface HttpCall { path: string; headers: Record<string, string>; body: string }

export interface LoopResult {
  requests: number; perSecond: number; errors: number; errorSamples: string[]; latency: LatencySummary;
  /** CPU ms per answered request of each measured process (from /proc/PID/stat), when meters were given. */
  cpuMsPerRequest: Record<string, number>;
}

export function post(agent: Agent, base: URL, call: HttpCall): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      agent, host: base.hostname, port: base.port, method: 'POST', path: call.path,
      headers: { ...call.headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(call.body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

/** Runs `concurrency` loops for `seconds`; `next(loop)` gives each loop's next call, `check` its answer. */
export async function runLoop(base: string, concurrency: number, seconds: number,
  next: (loop: number) => HttpCall, check: (loop: number, status: number, body: string) => string | undefined,
  cpuMeters: Record<string, () => number> = {}): Promise<LoopResult> {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const samples = new Samples();
  const errorSamples: string[] = [];
  let errors = 0;
  const cpuBefore = Object.fromEntries(Object.entries(cpuMeters).map(([k, cpu]) => [k, cpu()]));
  const t0 = nowMs();
  const deadline = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, loop) => {
    while (!stopping() && nowMs() < deadline) {
      const start = nowMs();
      try {
        const res = await post(agent, url, next(loop));
        const problem = check(loop, res.status, res.body);
        if (problem) throw new Error(problem);
        samples.add(nowMs() - start);
      } catch (err) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(err instanceof Error ? err.message.slice(0, 300) : String(err));
        if (errors > 1000) break;
      }
    }
  }));
  agent.destroy();
  const elapsed = (nowMs() - t0) / 1000;
  const cpuMsPerRequest = Object.fromEntries(Object.entries(cpuMeters).map(([k, cpu]) => [k, ((cpu() - cpuBefore[k]!) * 1000) / samples.count]));
  return { requests: samples.count, perSecond: samples.count / elapsed, errors, errorSamples, latency: samples.summary(), cpuMsPerRequest };
}
