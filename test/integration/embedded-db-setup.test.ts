// A new embedded database is created and migrated in a child process (core/infra/embedded-db-setup.ts),
// so the serving process never holds the WebAssembly memory initdb and the migrations grew; an
// existing one is opened as it is.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDb } from '../../core/infra/db.ts';
import { startEmbeddedDb } from '../../core/infra/embedded-db.ts';
import { hasDatabase, setUpInChild } from '../../core/infra/embedded-db-setup.ts';
import { listMigrations, migrate } from '../../core/infra/migrate.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-db-setup-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens the DATA_DIR's database in this process (without a child) and runs `fn` on it. */
async function withDb<T>(dataDir: string, fn: (db: ReturnType<typeof openDb>) => Promise<T>): Promise<T> {
  const embedded = await startEmbeddedDb(dataDir, false, { setUpInChild: false });
  const db = openDb(embedded.url, { embedded: true, max: 1 });
  try {
    return await fn(db);
  } finally {
    await db.end();
    await embedded.stop();
  }
}

it('creates and migrates a new database in a child process; an existing one is left as it is', async () => {
  const pgDir = join(dir, 'pg');
  expect(await hasDatabase(pgDir)).toBe(false);
  expect(await setUpInChild(dir)).toBe(true);
  const made = (await stat(join(pgDir, 'PG_VERSION'))).mtimeMs;
  const all = (await listMigrations()).map((m) => m.version);
  // Every migration is applied already: migrate() in this process has nothing left to do.
  expect(await withDb(dir, async (db) => (await db`SELECT version FROM schema_migrations ORDER BY version`).map((r) => Number(r.version)))).toEqual(all);
  expect(await withDb(dir, (db) => migrate(db))).toEqual([]);
  expect(await setUpInChild(dir)).toBe(false);
  expect((await stat(join(pgDir, 'PG_VERSION'))).mtimeMs).toBe(made);
}, 120_000);

it('startEmbeddedDb serves a database the child made, keeping what is written across restarts', async () => {
  for (const value of ['first', undefined]) {
    const embedded = await startEmbeddedDb(dir, false);
    const db = openDb(embedded.url, { embedded: true, max: 1 });
    try {
      expect((await db`SELECT count(*)::int AS n FROM schema_migrations`)[0]?.n).toBe((await listMigrations()).length);
      await db`CREATE TABLE IF NOT EXISTS kept (v text)`;
      if (value) await db`INSERT INTO kept VALUES (${value})`;
      expect((await db`SELECT v FROM kept`).map((r) => r.v)).toEqual(['first']);
    } finally {
      await db.end();
      await embedded.stop();
    }
  }
}, 120_000);

it('leaves the set-up to this process when the child cannot run', async () => {
  expect(await setUpInChild(dir, join(dir, 'no-such-node'))).toBe(false);
  expect(await hasDatabase(join(dir, 'pg'))).toBe(false);
  // What startEmbeddedDb and openDatabase do next: PGlite creates the database, migrate() fills it.
  expect((await withDb(dir, (db) => migrate(db))).length).toBe((await listMigrations()).length);
  expect(await hasDatabase(join(dir, 'pg'))).toBe(true);
}, 120_000);
