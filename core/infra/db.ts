// The one way to open PostgreSQL. The embedded PGlite speaks the same wire protocol through
// its socket server, so the same driver and SQL serve both.
import postgres, { type Sql } from 'postgres';

export type Db = Sql;

export interface DbOptions {
  /** PGlite: few connections (one backend serves them all). */
  embedded?: boolean;
  max?: number;
}

/** Marks a URL as the embedded PGlite, so that other processes given it as DATABASE_URL know. */
export const EMBEDDED_MARK = 'tessera_embedded';

export function openDb(url: string, options: DbOptions = {}): Db {
  const parsed = new URL(url);
  const embedded = options.embedded || parsed.searchParams.has(EMBEDDED_MARK);
  parsed.searchParams.delete(EMBEDDED_MARK);
  return postgres(parsed.toString(), {
    // PGlite is one backend executing one query at a time (core/infra/pglite-serial-protocol.ts keeps
    // connections from interleaving): a few connections are plenty.
    max: options.max ?? (embedded ? 4 : 10),
    // Named prepared statements on both: PGlite then parses and plans a statement once per
    // connection instead of on every execution (a third of its CPU per login, most of it per
    // refresh grant). Its connections share one session; the driver's random per-connection
    // names keep them apart, and the server deallocates a connection's statements when it goes
    // (core/infra/pglite-prepared-statements.ts).
    prepare: true,
    idle_timeout: 30,
    // A database that is down answers within seconds (a 503, core/infra/unavailable.ts), not after
    // the driver's default 30 s.
    connect_timeout: 3,
    connection: { application_name: 'tessera' },
    onnotice: () => {},
    transform: { undefined: null },
  });
}
