// Gives the memory a burst of traffic grew back to the system once the HTTP server has been quiet
// for a while (`tessera server` and `start`).
// Why: after load V8 keeps the heap it grew (its pooled pages, the semi-spaces, an old generation
// sized for the burst). Its own memory reducer waits for a low allocation rate, and after a load
// it went on rating the quiet server's rate high (traced: "high alloc" every 8 s while not one
// collection ran, so nothing was allocating; its estimate was the load's), so only its watchdog,
// ~100 s after the last collection, gave ~60 MiB back: after `npm run bench` the server sat at
// 241–248 MiB until then and at 178–186 after (README, Performance).
// What: every CHECK_MS the HTTP requests since the last look are counted; a look with more than
// QUIET_REQUESTS of them (health probes and metric scrapes stay below) counts as traffic. Once
// there has been traffic, `quietSeconds` have passed without any, and RSS has grown MIN_GROWTH
// past what the last release left, one full collection of the kind V8 runs when the system is
// short of memory frees what it can and hands its unused pages back. It costs ~0.4 s of CPU and
// blocks the event loop ~0.2–0.3 s on the 2-core machine, so it runs at most once per quiet spell,
// never under load. TESSERA_IDLE_RELEASE_SECONDS sets the quiet spell (Config.idleReleaseSeconds).
import type { Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { logger } from '../../core/infra/logger.ts';

const CHECK_MS = 5_000;
const QUIET_REQUESTS = 2;
const MIN_GROWTH = 24 * 1024 * 1024;

/** What the policy reads and does, injectable so that it can be tested with a clock of its own. */
export interface ReleaseHooks {
  now(): number;
  rss(): number;
  /** Collects all it can and returns unused pages to the system. */
  collect(): void;
}

/**
 * The decision, fed one look at a time: `look(requests)` with the requests counted since the
 * previous look; returns what a release freed (bytes), or undefined when none ran.
 */
export class IdleReleasePolicy {
  #quietSince: number;
  #trafficSinceRelease = false;
  #baseline: number;
  readonly #quietMs: number;
  readonly #hooks: ReleaseHooks;

  constructor(quietMs: number, hooks: ReleaseHooks) {
    this.#quietMs = quietMs;
    this.#hooks = hooks;
    this.#quietSince = hooks.now();
    this.#baseline = hooks.rss();
  }

  look(requests: number): number | undefined {
    const now = this.#hooks.now();
    if (requests > QUIET_REQUESTS) {
      this.#quietSince = now;
      this.#trafficSinceRelease = true;
      return undefined;
    }
    if (!this.#trafficSinceRelease || now - this.#quietSince < this.#quietMs) return undefined;
    const before = this.#hooks.rss();
    if (before - this.#baseline < MIN_GROWTH) return undefined;
    this.#hooks.collect();
    this.#trafficSinceRelease = false;
    this.#baseline = this.#hooks.rss();
    return before - this.#baseline;
  }
}

/**
 * V8's "last resort" collection (what it runs on a memory-pressure signal), through a gc function
 * taken from a fresh context: the flag is set only while that context is made, so no other code
 * ever sees a global gc. Undefined when this V8 does not offer it.
 */
export function lastResortCollector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options: object) => void;
    return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/**
 * Starts watching `server`; returns how to stop. Does nothing when the setting is 0 or V8 offers
 * no collector. `onRelease` hears of each release (bytes freed), for tests.
 */
export function startIdleMemoryRelease(server: Server, quietSeconds: number, onRelease?: (freed: number) => void): () => void {
  const collect = quietSeconds > 0 ? lastResortCollector() : undefined;
  if (!collect) return () => {};
  let requests = 0;
  const count = () => { requests += 1; };
  server.on('request', count);
  const policy = new IdleReleasePolicy(quietSeconds * 1000, { now: () => Date.now(), rss: () => process.memoryUsage.rss(), collect });
  const timer = setInterval(() => {
    const seen = requests;
    requests = 0;
    const started = process.cpuUsage();
    const freed = policy.look(seen);
    if (freed === undefined) return;
    const cpu = process.cpuUsage(started);
    onRelease?.(freed);
    logger.debug(`memory: ${Math.round(freed / 1048576)} MiB given back after ${quietSeconds} s without traffic `
      + `(${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU)`);
  }, CHECK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    server.off('request', count);
  };
}
