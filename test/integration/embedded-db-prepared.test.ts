// The embedded PGlite runs named prepared statements (core/infra/db.ts) for every connection in
// its one shared session: a connection's statements must stay apart from the others' while it
// lives and be deallocated when it goes, or every reconnect would leave its plans behind for good.
import { expect, it } from 'vitest';
import { openDb } from '../../core/infra/db.ts';
import { useEmbeddedDb } from '../support/embedded-db.ts';

const embeddedUrl = useEmbeddedDb('tessera-pglite-prepared-');

it('prepares statements per connection and deallocates them when the connection ends', async () => {
  const watcher = openDb(embeddedUrl(), { max: 1 });
  const names = async () => new Set((await watcher`SELECT name FROM pg_prepared_statements`).map((r) => r.name as string));
  try {
    const mine = await names();
    const client = openDb(embeddedUrl(), { max: 1 });
    for (let n = 0; n < 3; n++) {
      expect(await client`SELECT ${n}::int AS n`).toEqual([{ n }]);
      expect(await client`SELECT ${`v${n}`}::text AS v, 1 AS one`).toEqual([{ v: `v${n}`, one: 1 }]);
    }
    const during = await names();
    const theirs = [...during].filter((name) => !mine.has(name));
    // Three distinct statements, each prepared once by name and then only bound and executed.
    expect(theirs).toHaveLength(3);
    await client.end();
    let left = theirs;
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await names();
      left = theirs.filter((name) => now.has(name));
    }
    expect(left).toEqual([]);
    // The watcher's own statements are untouched and still run.
    const after = await names();
    for (const name of mine) expect(after.has(name)).toBe(true);
    expect((await watcher`SELECT name FROM pg_prepared_statements`).length).toBeGreaterThan(0);
  } finally {
    await watcher.end();
  }
});
