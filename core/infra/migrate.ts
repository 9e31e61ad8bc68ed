// Applies core/infra/migrations/NNN_name.sql in order, each once. Runs inside one transaction holding
// an advisory lock, so two processes starting together cannot apply a migration twice.
import { readdir, readFile } from 'node:fs/promises';
import type { Sql } from 'postgres';

const DIR = new URL('./migrations/', import.meta.url);
const LOCK_KEY = 7_303_317;

export interface Migration { version: number; name: string; sql: string }

export async function listMigrations(): Promise<Migration[]> {
  const files = (await readdir(DIR)).filter((f) => /^\d{3}_[a-z0-9_-]+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (file) => ({
    version: Number(file.slice(0, 3)),
    name: file.slice(4, -4),
    sql: await readFile(new URL(file, DIR), 'utf8'),
  })));
}

/** Returns the versions it applied (empty when the schema was current). */
export async function migrate(sql: Sql): Promise<number[]> {
  const migrations = await listMigrations();
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set((await tx`SELECT version FROM schema_migrations`).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.unsafe(m.sql);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
      applied.push(m.version);
    }
    return applied;
  });
}
