// Opens the database a process should use: DATABASE_URL when set; otherwise the embedded PGlite
// of DATA_DIR — served by this process (`own`) or reached through the instance already running
// on that DATA_DIR (`shared`), so the PGlite files are never opened twice.
import type { Config } from '../../core/infra/config.ts';
import { openDb, type Db } from '../../core/infra/db.ts';
import { findRunningEmbeddedDb, startEmbeddedDb, type EmbeddedDb } from '../../core/infra/embedded-db.ts';
import { migrate } from '../../core/infra/migrate.ts';
import { installProcessDataKeys, sealSecretsAtStartup } from './secrets-at-rest.ts';

export interface OpenedDatabase { db: Db; url: string; close(): Promise<void> }

export type DatabaseMode =
  /** Serve the embedded database from this process (tessera start). */
  | 'own'
  /** Use the running instance's database; fail when there is none (tessera server / worker). */
  | 'shared'
  /** Use the running instance's database, or open the files if nothing runs (the CLI). */
  | 'any';

export async function openDatabase(config: Config, mode: DatabaseMode): Promise<OpenedDatabase> {
  const keyring = await installProcessDataKeys(config);
  if (config.databaseUrl) {
    const db = openDb(config.databaseUrl);
    await migrate(db);
    await sealSecretsAtStartup(db, keyring, { warnMissingKeys: mode !== 'any' });
    return { db, url: config.databaseUrl, close: () => db.end({ timeout: 5 }) };
  }
  const running = await findRunningEmbeddedDb(config.dataDir);
  if (mode === 'own' && running) {
    throw new Error(`another Tessera is already running on ${config.dataDir}; stop it or use another DATA_DIR`);
  }
  if (mode === 'shared' && !running) {
    throw new Error('no DATABASE_URL and no `tessera start` running on this DATA_DIR: set DATABASE_URL, or start the all-in-one first');
  }
  let embedded: EmbeddedDb | undefined;
  const url = running ?? (embedded = await startEmbeddedDb(config.dataDir, mode === 'own')).url;
  const db = openDb(url, { embedded: true });
  await migrate(db);
  await sealSecretsAtStartup(db, keyring, { warnMissingKeys: mode !== 'any' });
  return {
    db, url,
    async close() {
      await db.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}
