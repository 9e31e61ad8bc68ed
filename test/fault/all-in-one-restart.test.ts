// The embedded default, `tessera start` (its own Temporal dev server with a SQLite file under
// DATA_DIR in WAL mode, PGlite inside the process), broken mid-journeys:
// - kill -9 of the embedded Temporal dev server: a journey started right then is answered at
//   once (201, or 503 with Retry-After: never a hang, never a 500); the all-in-one brings the dev
//   server back on the same port and file, and the journeys carry on without anyone restarting
//   anything;
// - kill -9 of the all-in-one itself (and with it PGlite, which runs inside it), as an OOM kill
//   does: its dev server is left orphaned; `tessera start` again on the same DATA_DIR takes over
//   (Temporal and the database at the addresses they had) and every journey continues, each side
//   effect once.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { findRunningEmbeddedDb } from '../../core/infra/embedded-db.ts';
import { openDb, type Db } from '../../core/infra/db.ts';
import { TEST_CODEC_KEYS } from '../support/codec-key.ts';
import { FederatedLoginInFlight, InvitationInFlight, LoginInFlight, LogoutFanOutInFlight, SignupAwaitingApproval } from '../support/fault-journeys.ts';
import { tenantWithUser } from '../support/harness.ts';
import { JourneyApi } from '../support/journey-api.ts';
import { freePort, killAll, removeDir, sleep, spawnTessera, tempDir, waitForHealthy, type TesseraProcess } from '../support/processes.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const run = promisify(execFile);
const SIGNUP_MAILS = ['Your T account awaits approval', 'Your T account is ready'];
let dir: string;
let port: number;
let sink: SmtpSink;
let proc: TesseraProcess;
let db: Db | undefined;

const url = () => `http://127.0.0.1:${port}`;

async function start(): Promise<void> {
  proc = spawnTessera(['start'], {
    DATA_DIR: dir, PORT: String(port), PUBLIC_URL: url(), TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    TESSERA_CODEC_KEYS: TEST_CODEC_KEYS, SMTP_URL: sink.url,
    // A start that lands when the dev server is back but the worker does not poll yet waits for
    // the worker until this deadline (default 10 s): kept under the 5 s a start may take here.
    JOURNEY_ANSWER_TIMEOUT: '4s',
  });
  await waitForHealthy(proc, url(), 120_000);
  // Opened once: after a crash the database comes back at the same address, so this connection
  // pool (like a `tessera worker` attached to the all-in-one) reconnects on its own.
  db ??= openDb((await findRunningEmbeddedDb(dir))!, { embedded: true });
}

async function temporalRuntime(): Promise<{ pid: number; address: string; serverPid?: number }> {
  return JSON.parse(await readFile(join(dir, 'runtime', 'temporal.json'), 'utf8'));
}

/** The dev server the all-in-one runs: its child process running `start-dev` (found from the process table, not from what Tessera writes). */
async function devServerPid(): Promise<number> {
  const { stdout } = await run('ps', ['-o', 'pid=,args=', '--ppid', String(proc.pid)]);
  const line = stdout.split('\n').find((l) => l.includes('start-dev'));
  if (!line) throw new Error(`no Temporal dev server under pid ${proc.pid}: ${stdout}`);
  return Number(line.trim().split(/\s+/)[0]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function journeysInFlight() {
  const [login, signup, invitation, logout, federated] = await Promise.all([
    LoginInFlight.begin(db!, url()),
    SignupAwaitingApproval.begin(db!, url(), sink),
    InvitationInFlight.begin(db!, url(), sink),
    LogoutFanOutInFlight.begin(db!, url()),
    FederatedLoginInFlight.begin(db!, url()),
  ]);
  return { login, signup, invitation, logout, federated };
}

async function finishAndCount({ login, signup, invitation, logout, federated }: Awaited<ReturnType<typeof journeysInFlight>>): Promise<void> {
  logout.release();
  await Promise.all([login.finish(url()), signup.approve(db!, url(), sink), invitation.accept(url())]);
  expect(await logout.delivered(db!)).toEqual({ notifications: 1, recorded: 1 });
  await federated.finish();
  expect(await federated.counts(db!)).toEqual({ accounts: 1, sessions: 1 });
  expect(await login.sessions(db!)).toBe(1);
  expect(await signup.counts(db!, sink)).toEqual({ adminMails: 1, userMails: SIGNUP_MAILS, accounts: 1 });
  expect(await invitation.counts(db!, sink)).toEqual({ mails: 1, accounts: 1, accepted: 1 });
}

beforeAll(async () => {
  [dir, port, sink] = await Promise.all([tempDir('tessera-aio-'), freePort(), startSmtpSink()]);
  await start();
}, 180_000);
afterAll(async () => {
  await db?.end({ timeout: 1 }).catch(() => {});
  const orphan = await temporalRuntime().catch(() => undefined);
  await killAll();
  if (orphan?.serverPid && alive(orphan.serverPid)) process.kill(orphan.serverPid, 'SIGKILL');
  await sink.close();
  await removeDir(dir);
});

it('runs its Temporal dev server on a SQLite file in WAL mode', async () => {
  // WAL is a property of the file: read back from it, not from the command line.
  const file = new DatabaseSync(join(dir, 'temporal.db'), { readOnly: true });
  try {
    expect(file.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
  } finally {
    file.close();
  }
});

it('brings its Temporal dev server back after kill -9, and the journeys carry on', async () => {
  const journeys = await journeysInFlight();
  const before = await temporalRuntime();
  const server = await devServerPid();
  const { tenant } = await tenantWithUser(db!);
  process.kill(server, 'SIGKILL');
  const began = Date.now();
  const started = await new JourneyApi(url(), tenant).start();
  const took = Date.now() - began;
  if (started.status === 503) {
    expect(started.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(started.body.error.code).toBe('temporarily_unavailable');
  } else {
    expect(started.status, JSON.stringify(started.body)).toBe(201);
  }
  expect(took).toBeLessThan(5000);
  await finishAndCount(journeys);
  expect(await devServerPid()).not.toBe(server);
  expect((await temporalRuntime()).address).toBe(before.address);
  expect(proc.exit).toBeUndefined();
}, 240_000);

it('continues every journey after the whole all-in-one (PGlite inside) is killed with -9 and started again', async () => {
  const journeys = await journeysInFlight();
  const before = await temporalRuntime();
  const dbPort = async () => new URL((await findRunningEmbeddedDb(dir))!).port;
  const dbBefore = await dbPort();
  const orphan = await devServerPid();
  proc.signal('SIGKILL');
  await proc.exited;
  // Only the tessera process died: its dev server is an orphan now, holding the port and file.
  expect(alive(orphan)).toBe(true);
  await sleep(200);
  await start();
  expect(alive(orphan)).toBe(false);
  expect((await temporalRuntime()).address).toBe(before.address);
  expect(await dbPort()).toBe(dbBefore);
  await finishAndCount(journeys);
}, 270_000);
