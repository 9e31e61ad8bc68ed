// The one way to open PostgreSQL. The embedded PGlite speaks the same wire protocol through
// its socket server, so the same driver and SQL serve both.
import postgres, { type Sql } from 'postgres';

export type Db = Sql;

export interface DbOptions {
  /** PGlite multiplexes connections onto one backend and cannot share named statements. */
  embedded?: boolean;
  max?: number;
}

export function openDb(url: string, options: DbOptions = {}): Db {
  return postgres(url, {
    max: options.max ?? (options.embedded ? 4 : 10),
    prepare: !options.embedded,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    transform: { undefined: null },
  });
}
