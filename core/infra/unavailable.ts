// Which errors mean "a dependency is down for now" rather than "this request is wrong": Temporal
// unreachable (gRPC UNAVAILABLE / DEADLINE_EXCEEDED, or no connection at all) and PostgreSQL
// unreachable or restarting (refused / reset / timed-out connections, SQLSTATE class 08 and the
// 57P0x shutdown codes). The server answers those with 503 and Retry-After so that a browser or
// a load balancer tries again, instead of a 500 that reads as a bug or a request that hangs.
export type Dependency = 'temporal' | 'database';

/** Seconds a client should wait before retrying while a dependency is down. */
export const RETRY_AFTER_S = 5;

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTCONN']);
// postgres.js's own codes for a connection it could not open or lost.
const PG_DRIVER_CODES = new Set(['CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
// admin_shutdown, crash_shutdown, cannot_connect_now.
const PG_SHUTDOWN_STATES = new Set(['57P01', '57P02', '57P03']);

interface Inspectable { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; errors?: unknown }

function classifyOne(e: Inspectable): Dependency | undefined {
  const name = typeof e.name === 'string' ? e.name : '';
  const code = e.code;
  const message = typeof e.message === 'string' ? e.message : '';
  if (name === 'PostgresError') {
    return typeof code === 'string' && (code.startsWith('08') || PG_SHUTDOWN_STATES.has(code)) ? 'database' : undefined;
  }
  if (typeof code === 'string' && PG_DRIVER_CODES.has(code)) return 'database';
  // Temporal: ServiceError / ConnectionError from the client, or the raw gRPC status in their cause.
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return 'temporal';
  // An update call the SDK reports as timed out or cancelled: DEADLINE_EXCEEDED is caught above
  // through its cause, but the SDK gives the same error for a gRPC CANCELLED or a CancelledFailure.
  // Nothing in Tessera cancels a request's Temporal calls, so either way the update was not
  // carried out within the request's deadline — Temporal (or its workers) unavailable for now.
  if (name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return 'temporal';
  if (name === 'ConnectionError' || (name === 'ServiceError' && /connect|unavailable|deadline/i.test(message))) return 'temporal';
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    // A raw socket error: the address tells which dependency, else assume the database driver
    // (the Temporal client wraps its own in ServiceError).
    return 'database';
  }
  return undefined;
}

/** The dependency whose outage caused `err` (looking through causes), or undefined. */
export function unavailableDependency(err: unknown): Dependency | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e) || seen.size > 20) continue;
    seen.add(e);
    const found = classifyOne(e as Inspectable);
    if (found) return found;
    const { cause, errors } = e as Inspectable;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}
