// Embedded PostgreSQL: PGlite (WASM Postgres) stored under DATA_DIR, served on a loopback port
// through pglite-socket's multiplexer. The port is published in DATA_DIR/runtime/db.json so the
// CLI reaches the running instance instead of opening the same files a second time.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { EMBEDDED_MARK } from './db.ts';
import { serializeExtendedProtocol } from './pglite-serial-protocol.ts';

export interface EmbeddedDb { url: string; stop(): Promise<void> }

interface RuntimeFile { pid: number; url: string }

function runtimeFile(dataDir: string): string {
  return join(dataDir, 'runtime', 'db.json');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The URL of a PGlite that another live process serves from this DATA_DIR, if any. */
export async function findRunningEmbeddedDb(dataDir: string): Promise<string | undefined> {
  try {
    const info = JSON.parse(await readFile(runtimeFile(dataDir), 'utf8')) as RuntimeFile;
    return info.pid !== process.pid && alive(info.pid) ? info.url : undefined;
  } catch {
    return undefined;
  }
}

/** Opens PGlite under dataDir/pg and serves it; `publish` advertises it to other processes. */
export async function startEmbeddedDb(dataDir: string, publish: boolean): Promise<EmbeddedDb> {
  const pgDir = join(dataDir, 'pg');
  await mkdir(pgDir, { recursive: true });
  const db = await PGlite.create(pgDir);
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 64 });
  serializeExtendedProtocol(server, db);
  await server.start();
  const conn = server.getServerConn();
  const url = `postgres://postgres:postgres@${conn}/postgres?${EMBEDDED_MARK}=1`;
  const file = runtimeFile(dataDir);
  if (publish) {
    await mkdir(join(dataDir, 'runtime'), { recursive: true });
    await writeFile(file, JSON.stringify({ pid: process.pid, url } satisfies RuntimeFile));
  }
  return {
    url,
    async stop() {
      if (publish) await rm(file, { force: true });
      await server.stop();
      await db.close();
    },
  };
}
