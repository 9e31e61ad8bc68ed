// A journey's first step, handed from its start to the browser's first read of it. A protocol
// start (OIDC interaction, SAML SSO, legacy login) answers the browser with a redirect to the
// login UI, which then reads the journey — a workflow query, a round trip through Temporal and the
// worker (about 5% of a whole OIDC login's CPU) for the very view the start just returned. The
// start's answer is kept here, in this process only, and the first read of that journey takes it
// (once); any other read, a read on another server process, and any read after a submit through
// this process ask the workflow as before.
//
// Why this is safe: the entry lives a few seconds at most (and never more than a quarter of the
// journey's idle timeout, so an expiry is never hidden), it is only taken by a read that then
// passes the same tenant and browser-binding check a query's answer does, and a journey cannot
// move on without an answer to its step (which forgets the entry when it comes through here).
// What is left — a journey cancelled by an admin or answered through another server in the
// second between its start and the page's first read — shows the step once more; the answer to
// it is then refused as for any stale step (409), with the journey's current view.
import type { JourneySnapshot } from '../../../core/journeys/journey-types.ts';
import { TakeOnceMap } from '../../../core/infra/take-once-map.ts';

const MAX_ENTRIES = 10_000;
const MAX_AGE_MS = 3000;

export class StartHandoff {
  readonly #kept = new TakeOnceMap<JourneySnapshot>(MAX_ENTRIES);

  /** Keeps a started journey's answer for its first read, if it waits for the browser. */
  keep(id: string, snapshot: JourneySnapshot, idleTimeoutMs: number): void {
    if (snapshot.view.status === 'waiting') this.#kept.hold(id, snapshot, Math.min(MAX_AGE_MS, idleTimeoutMs / 4));
  }

  /** The kept answer for `id`, once; undefined when none is kept or it is too old. */
  take(id: string): JourneySnapshot | undefined {
    return this.#kept.take(id);
  }

  /** Drops what is kept for `id` (the journey is being answered). */
  forget(id: string): void {
    this.#kept.forget(id);
  }

  get size(): number {
    return this.#kept.size;
  }
}
