// Every call a request makes to Temporal shares one deadline: JOURNEY_ANSWER_TIMEOUT after the
// request arrived. A journey's start, read or answer, an admin's approval, a followed link: each
// waits for a worker, and with no worker running (all of them killed, none started yet) Temporal
// holds such a call open for as long as the client waits. Past the deadline the call fails with
// gRPC DEADLINE_EXCEEDED, which the error handler answers 503 + Retry-After
// (core/infra/unavailable.ts) — the answer for a dependency that is down for now, not a hang.
//
// Set here, once, rather than at each call: the deadline lives in the Temporal connection's
// AsyncLocalStorage, so every call made on behalf of this request (through any route, the OIDC
// provider's interactions included) carries it, and a route added later cannot forget it.
// A call that timed out may still be carried out once a worker runs (Temporal keeps an update it
// admitted): a retried journey answer is then refused as a stale step (409, with the journey's
// current view) or finds the journey finished, and an approval is already decided, never applied twice.
import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';

export function temporalDeadline(temporal: Client, timeoutMs: number): RequestHandler {
  return (_req, _res, next) => {
    void temporal.withDeadline(Date.now() + timeoutMs, async () => next());
  };
}
