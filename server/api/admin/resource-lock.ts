// Makes a change to a resource with an ETag one atomic step with its If-Match check: both run in
// one transaction holding a transaction-scoped advisory lock named by the resource, so two
// changes of the same resource run one after the other and the second sees the first's result
// (a stale If-Match then answers 412 instead of overwriting). On PGlite the transaction alone
// serializes (its one backend serves only the connection inside a transaction); the lock is
// what does it on PostgreSQL. Code run inside gets the transaction as its database: a
// `db.begin(...)` of its own becomes a savepoint of this transaction.
import type { Db } from '../../../core/infra/db.ts';

type Begin = (...args: unknown[]) => unknown;

/** `tx` where `begin(fn)` / `begin(options, fn)` opens a savepoint instead of a second transaction. */
function asDb(tx: Db): Db {
  const savepoint = (tx as unknown as { savepoint: Begin }).savepoint.bind(tx);
  const begin: Begin = (...args) => savepoint(args[args.length - 1]);
  return new Proxy(tx, { get: (target, prop, receiver) => (prop === 'begin' ? begin : Reflect.get(target, prop, receiver)) });
}

/** Runs `fn` holding the lock named `key` (any string), in a transaction it commits when `fn` returns. @throws what `fn` throws (rolled back). */
export async function withResourceLock<T>(db: Db, key: string, fn: (db: Db) => Promise<T>): Promise<T> {
  return await db.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
    return fn(asDb(tx as unknown as Db));
  }) as T;
}
