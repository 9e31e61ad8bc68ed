// The embedded PGlite serves several connections (the running instance, the CLI, a separate
// worker process). Its socket multiplexer must keep each connection's extended-protocol messages
// together; interleaved, they fail with "portal does not exist" or mismatched bind parameters.
import { expect, it } from 'vitest';
import { openDb, type Db } from '../../core/infra/db.ts';
import { useEmbeddedDb } from '../support/embedded-db.ts';

const embeddedUrl = useEmbeddedDb('tessera-pglite-');

it('keeps concurrent connections apart, inside and outside transactions', async () => {
  const clients: Db[] = Array.from({ length: 4 }, () => openDb(embeddedUrl()));
  await clients[0]!`CREATE TABLE IF NOT EXISTS mux_probe (client int, n int, label text)`;
  try {
    const work = clients.map(async (db, client) => {
      for (let n = 0; n < 150; n++) {
        if (n % 10 === 0) {
          await db.begin(async (tx) => {
            await tx`INSERT INTO mux_probe VALUES (${client}, ${n}, ${`c${client}`})`;
            const [row] = await tx`SELECT count(*)::int AS c FROM mux_probe WHERE client = ${client} AND n = ${n}`;
            expect(row!.c).toBe(1);
          });
        } else {
          const [row] = await db`SELECT ${client}::int AS client, ${n}::int AS n, ${'x'.repeat(n % 7)}::text AS pad`;
          expect(row).toEqual({ client, n, pad: 'x'.repeat(n % 7) });
        }
      }
    });
    await Promise.all(work);
    const [total] = await clients[0]!`SELECT count(*)::int AS c FROM mux_probe`;
    expect(total!.c).toBe(4 * 15);
  } finally {
    await Promise.all(clients.map((db) => db.end()));
  }
});
