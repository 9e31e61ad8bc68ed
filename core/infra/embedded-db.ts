// Embedded PostgreSQL: PGlite (WASM Postgres) stored under DATA_DIR, served on a loopback port
// through pglite-socket's multiplexer. The port is published in DATA_DIR/runtime/db.json so the
// CLI reaches the running instance instead of opening the same files a second time. Rules:
// - only processes of the instance's user get in: DATA_DIR, pg/ and runtime/ are 0700, and every
//   connection must prove the password in DATA_DIR/db-password (generated once, 0600) with
//   SCRAM-SHA-256 (pg-password-gate.ts); the socket listens on 127.0.0.1 only;
// - db.json holds the URL without the password: a reader adds it from db-password.
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { EMBEDDED_MARK } from './db.ts';
import { passwordGate } from './pg-password-gate.ts';
import { setUpInChild } from './embedded-db-setup.ts';
import { batchWireMessages } from './pglite-message-runs.ts';
import { serializeExtendedProtocol } from './pglite-serial-protocol.ts';
import { ensurePrivateDir, readOrCreateSecret } from './private-files.ts';

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

/** The embedded database's password: DATA_DIR/db-password, made on first use. */
export async function embeddedDbPassword(dataDir: string): Promise<string> {
  await ensurePrivateDir(dataDir);
  return readOrCreateSecret(join(dataDir, 'db-password'));
}

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

/** The URL (with its password) of a PGlite that another live process serves from this DATA_DIR, if any. */
export async function findRunningEmbeddedDb(dataDir: string): Promise<string | undefined> {
  let info: RuntimeFile;
  try {
    info = JSON.parse(await readFile(runtimeFile(dataDir), 'utf8')) as RuntimeFile;
  } catch {
    return undefined;
  }
  if (info.pid === process.pid || !alive(info.pid)) return undefined;
  return withPassword(info.url, await embeddedDbPassword(dataDir));
}

/** Puts the password gate in front of every connection the socket server accepts. */
function requirePassword(server: PGLiteSocketServer, password: string): void {
  const gate = passwordGate(password);
  const internals = server as unknown as { handleConnection?: (socket: Socket) => Promise<void> };
  const accept = internals.handleConnection?.bind(server);
  if (!accept) throw new Error('pglite-socket internals changed: re-check core/infra/embedded-db.ts');
  internals.handleConnection = async (socket: Socket) => {
    const startup = await gate.authenticate(socket);
    if (!startup) return;
    await accept(socket);
    socket.emit('data', startup);
    socket.resume();
  };
}

/** The port in a runtime file left by an instance that is no longer running, if any. */
async function previousPort(file: string): Promise<number | undefined> {
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as RuntimeFile;
    if (alive(info.pid) && info.pid !== process.pid) return undefined;
    const port = Number(new URL(info.url).port);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

export interface EmbeddedDbOptions {
  /** A new database is created and migrated in a child process first (embedded-db-setup.ts); default true. */
  setUpInChild?: boolean;
}

/** Opens PGlite under dataDir/pg and serves it; `publish` advertises it to other processes. */
export async function startEmbeddedDb(dataDir: string, publish: boolean, options: EmbeddedDbOptions = {}): Promise<EmbeddedDb> {
  const pgDir = join(dataDir, 'pg');
  const password = await embeddedDbPassword(dataDir);
  await ensurePrivateDir(pgDir);
  if (options.setUpInChild ?? true) await setUpInChild(dataDir);
  const db = await PGlite.create(pgDir);
  const file = runtimeFile(dataDir);
  const serve = async (port: number): Promise<PGLiteSocketServer> => {
    const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 64 });
    serializeExtendedProtocol(server, db);
    batchWireMessages();
    requirePassword(server, password);
    await server.start();
    return server;
  };
  // The port the last instance on this DATA_DIR had, when it is free: a `tessera server` or
  // `tessera worker` attached to an all-in-one that crashed (kill -9) finds the database again at
  // the address it knows once the all-in-one is back.
  const previous = publish ? await previousPort(file) : undefined;
  let server: PGLiteSocketServer;
  try {
    server = await serve(previous ?? 0);
  } catch (err) {
    if (previous === undefined) throw err;
    server = await serve(0);
  }
  const conn = server.getServerConn();
  const url = `postgres://postgres@${conn}/postgres?${EMBEDDED_MARK}=1`;
  if (publish) {
    await ensurePrivateDir(join(dataDir, 'runtime'));
    await writeFile(file, JSON.stringify({ pid: process.pid, url } satisfies RuntimeFile), { mode: 0o600 });
  }
  return {
    url: withPassword(url, password),
    async stop() {
      if (publish) await rm(file, { force: true });
      await server.stop();
      await db.close();
    },
  };
}
