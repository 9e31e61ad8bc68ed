// The embedded Temporal: `temporal server start-dev` with its SQLite file under DATA_DIR. The
// frontend address is published in DATA_DIR/runtime/temporal.json.
// With the CLI found (the usual case) this process runs the dev server itself, because nothing
// else would bring it back:
// - a watchdog restarts it on the same port and SQLite file when it dies (kill -9, OOM), so the
//   worker and the server, which reconnect on their own, carry on with every journey it held;
// - temporal.json also records the dev server's pid and port: a `tessera start` that was killed
//   with -9 leaves its dev server running (it is a separate process), holding the port and the
//   SQLite file; the next start stops that orphan and takes its port again, rather than running a
//   second server on the same file.
// Without the CLI, the SDK's ephemeral-server support downloads one (and keeps it; no watchdog).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../../core/infra/config.ts';
import { findTemporalCli, TEMPORAL_CLI_HELP } from '../../core/infra/temporal-cli.ts';
import { devServerStorageArgs } from '../../core/infra/temporal-dev-server-settings.ts';
import { ensurePrivateDir } from '../../core/infra/private-files.ts';
import { logger } from '../../core/infra/logger.ts';
import { installTemporalRuntime } from './temporal-runtime.ts';

export interface EmbeddedTemporal { address: string; uiUrl?: string; stop(): Promise<void> }

/** What temporal.json holds: the owning tessera's pid, the frontend, and the dev server's pid. */
interface RuntimeFile { pid: number; address: string; serverPid?: number }

const START_TIMEOUT_MS = 60_000;
const RESTART_DELAY_MS = 500;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false)).once('listening', () => probe.close(() => resolve(true)));
    probe.listen(port, '127.0.0.1');
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readRuntime(file: string): Promise<RuntimeFile | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RuntimeFile;
  } catch {
    return undefined;
  }
}

/** Stops the dev server a killed `tessera start` left behind; returns the port it had. */
async function reclaimOrphan(previous: RuntimeFile | undefined): Promise<number | undefined> {
  if (!previous) return undefined;
  const port = Number(previous.address.split(':').pop());
  if (alive(previous.pid) && previous.pid !== process.pid) return undefined;
  if (alive(previous.serverPid)) {
    process.kill(previous.serverPid!, 'SIGKILL');
    for (let i = 0; i < 50 && alive(previous.serverPid); i++) await sleep(100);
  }
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

async function choosePort(preferred: (number | undefined)[]): Promise<number> {
  for (const port of preferred) if (port && (await portFree(port))) return port;
  return anyFreePort();
}

export async function startEmbeddedTemporal(config: Config, options: { ui?: boolean } = {}): Promise<EmbeddedTemporal> {
  const path = findTemporalCli(config.temporalCliPath);
  await ensurePrivateDir(config.dataDir);
  await ensurePrivateDir(join(config.dataDir, 'runtime'));
  if (!path) return startWithSdk(config, options);
  const file = join(config.dataDir, 'runtime', 'temporal.json');
  const port = await choosePort([await reclaimOrphan(await readRuntime(file)), 7233]);
  const uiPort = options.ui && (await portFree(8233)) ? 8233 : undefined;
  const address = `127.0.0.1:${port}`;
  const args = [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', join(config.dataDir, 'temporal.db'),
    '--namespace', config.temporalNamespace, '--log-level', 'error',
    ...devServerStorageArgs(),
    ...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']),
  ];

  let child: ChildProcess | undefined;
  let stopping = false;
  const launch = async (): Promise<void> => {
    let output = '';
    const started = spawn(path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    started.stderr!.setEncoding('utf8').on('data', (d: string) => { output = (output + d).slice(-4000); });
    await writeFile(file, JSON.stringify({ pid: process.pid, address, serverPid: started.pid } satisfies RuntimeFile));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await accepts(port))) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`the Temporal dev server exited: ${output.trim()}`);
      if (Date.now() > deadline) throw new Error(`the Temporal dev server did not listen on ${address} within ${START_TIMEOUT_MS / 1000} s`);
      await sleep(200);
    }
    started.once('exit', (code, signal) => {
      // An orderly stop (Ctrl-C reaches the whole process group, SIGTERM from a supervisor) is
      // not a crash: this process is shutting down too. Only crashes and kills are restarted.
      if (stopping || code === 0 || signal === 'SIGINT' || signal === 'SIGTERM' || signal === 'SIGHUP') return;
      // The watchdog: same port, same SQLite file, so every journey it held carries on.
      logger.warn(`[tessera] the Temporal dev server stopped (${signal ?? `exit ${code}`}); restarting it on ${address}`);
      void (async () => {
        for (let attempt = 1; !stopping; attempt++) {
          await sleep(RESTART_DELAY_MS * Math.min(attempt, 10));
          try {
            await launch();
            logger.info(`[tessera] the Temporal dev server is back on ${address}`);
            return;
          } catch (err) {
            logger.error(`[tessera] restarting the Temporal dev server: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      })();
    });
  };
  await launch();
  return {
    address,
    ...(uiPort ? { uiUrl: `http://127.0.0.1:${uiPort}` } : {}),
    async stop() {
      stopping = true;
      await rm(file, { force: true });
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** No CLI found: the SDK downloads a dev server and runs it (no watchdog, no orphan handling). */
async function startWithSdk(config: Config, options: { ui?: boolean }): Promise<EmbeddedTemporal> {
  const port = (await portFree(7233)) ? 7233 : undefined;
  const uiPort = options.ui && port && (await portFree(8233)) ? 8233 : undefined;
  installTemporalRuntime();
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        dbFilename: join(config.dataDir, 'temporal.db'),
        namespace: config.temporalNamespace,
        ip: '127.0.0.1',
        ...(port ? { port } : {}),
        ...(uiPort ? { ui: true, uiPort } : {}),
        log: { format: 'pretty', level: 'error' },
        extraArgs: devServerStorageArgs(),
      },
    });
  } catch {
    throw new Error(TEMPORAL_CLI_HELP);
  }
  const address = env.address;
  const file = join(config.dataDir, 'runtime', 'temporal.json');
  await writeFile(file, JSON.stringify({ pid: process.pid, address } satisfies RuntimeFile));
  return {
    address,
    ...(uiPort ? { uiUrl: `http://127.0.0.1:${uiPort}` } : {}),
    async stop() {
      await rm(file, { force: true });
      await env.teardown();
    },
  };
}
