// A database handle that counts the statements sent through it, for tests that hold a code path
// to its number of round trips. A query runs when awaited; a fragment embedded in another never is.
import type { Db } from '../../core/infra/db.ts';

export function countingDb(db: Db): { db: Db; statements: () => number } {
  let n = 0;
  const proxy = new Proxy(db, {
    apply(target, self, args: unknown[]) {
      const query = Reflect.apply(target, self, args) as Promise<unknown>;
      if (!(args[0] as { raw?: unknown } | undefined)?.raw) return query;
      const then = query.then.bind(query);
      let sent = false;
      query.then = ((...handlers: Parameters<typeof then>) => {
        if (!sent) n++;
        sent = true;
        return then(...handlers);
      }) as typeof query.then;
      return query;
    },
  });
  return { db: proxy, statements: () => n };
}
