// A new embedded database is created (initdb) and migrated in a short-lived process of its own,
// and only then opened by Tessera's. PGlite's WebAssembly memory only ever grows, and initdb and
// the migrations' DDL take it far past what serving needs: measured, the all-in-one sat ~55–60 MiB
// higher for its whole life after a first start than after a restart on the same DATA_DIR
// (README, "The workflow bundle and Node's compile cache"). A DATA_DIR that already holds a
// database (PG_VERSION written) is left alone, and so is any later migration (run in-process, as
// before). If the child fails for any reason, this process sets the database up as before.
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger } from './logger.ts';

const CHILD = fileURLToPath(new URL('./embedded-db-setup-child.ts', import.meta.url));

/** Whether `pgDir` holds an initialised PostgreSQL data directory. */
export async function hasDatabase(pgDir: string): Promise<boolean> {
  try {
    await access(join(pgDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

function runChild(dataDir: string, execPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(execPath, [CHILD, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-2000); });
    child.once('error', (err) => resolve(err.message));
    child.once('exit', (code, signal) => resolve(code === 0 ? undefined : `exit ${signal ?? code}: ${stderr.trim().split('\n').pop() ?? ''}`));
  });
}

/**
 * Creates and migrates the embedded database of `dataDir` (its pg/ folder) in a child process
 * (Node at `execPath`) when there is none yet; false when it did not.
 */
export async function setUpInChild(dataDir: string, execPath = process.execPath): Promise<boolean> {
  const pgDir = join(dataDir, 'pg');
  if (await hasDatabase(pgDir)) return false;
  const failure = await runChild(dataDir, execPath);
  if (failure !== undefined) {
    logger.warn(`embedded database: setting it up in a child process failed (${failure}); doing it in this process`);
    return false;
  }
  return hasDatabase(pgDir);
}
