// Values handed from the request that had them to the next one that needs them, once: each is
// taken at most once and only while young, and dropped at once when the thing it describes
// changes in this process. Bounded: when full, expired entries go first, then the oldest (a Map
// iterates in insertion order). Used for a token's grant read with the token
// (server/protocols/oidc/token-lookup.ts) and a journey's start answer for its first read
// (server/api/journeys/start-handoff.ts).
export class TakeOnceMap<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** Holds `value` under `key` for `ttlMs`, replacing what was held. */
  hold(key: string, value: V, ttlMs: number): void {
    const now = Date.now();
    if (this.#entries.size >= this.#max) this.#prune(now);
    this.#entries.set(key, { value, until: now + ttlMs });
  }

  /** The value held under `key`, once; undefined when none is held or it is too old. */
  take(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    return entry.until > Date.now() ? entry.value : undefined;
  }

  /** Drops what is held under `key` (it changed). */
  forget(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.until <= now) this.#entries.delete(key);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size < this.#max) break;
      this.#entries.delete(key);
    }
  }
}
