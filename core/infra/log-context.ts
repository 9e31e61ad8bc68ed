// What every log line written on behalf of one request or one activity carries: the tenant, the
// journey (its workflow id), the request id and the trace id. Kept in AsyncLocalStorage so that
// code deep in a call chain logs them without being handed them.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  tenant?: string;
  journeyId?: string;
  /** The workflow id of a workflow that is not a journey (lockouts, mail, registrations…). */
  workflowId?: string;
  requestId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to (a copy of) the current context. */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** The current context, shared by everything the same request or activity runs. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** Adds what was learned later (the tenant once routed, the journey once known) to the current context. */
export function addLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}
