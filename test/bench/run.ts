// `npm run bench`: complete password + TOTP logins per second at 1, 8 and 32 concurrent users,
// latency of starting a journey and of each step submit, CPU per login and resident memory of
// the server and the worker — against the embedded runtime (Temporal dev server + PGlite, or
// DATABASE_URL), with the server and the worker as separate processes, all on this machine.
//
// Env: BENCH_SECONDS (per phase, default 15), BENCH_CONCURRENCY (default "1,8,32"),
// BENCH_USERS (default 3000), BENCH_WARMUP (logins, default 20), BENCH_VERBOSE (child output),
// BENCH_SERVER_NODE_OPTIONS / BENCH_WORKER_NODE_OPTIONS / BENCH_DATABASE_NODE_OPTIONS (e.g. --cpu-prof --cpu-prof-dir=DIR),
// DATABASE_URL (a real PostgreSQL instead of PGlite), TEMPORAL_CLI_PATH; the Temporal dev server runs
// on a SQLite file with `tessera start`'s settings (test/bench/infra.ts), BENCH_TEMPORAL_DB=memory
// in memory instead, BENCH_TEMPORAL_ARGS adds dev-server arguments.
// Then the OIDC token endpoints (test/bench/oidc.ts): BENCH_OIDC=0 skips them,
// BENCH_OIDC_CONCURRENCY (default 32) sets their concurrent connections.
// Before them, complete OIDC logins (test/bench/oidc-login.ts): BENCH_OIDC_LOGIN=0 skips them,
// BENCH_OIDC_LOGIN_CONCURRENCY (default "1,8,32"), BENCH_OIDC_LOGIN_USERS (default 1000).
// After the password + TOTP phases, Temporal's floor (test/bench/floor.ts) at the same levels:
// BENCH_FLOOR=0 skips it.
// Beside each OIDC login level, the same login on a tenant whose login tree is the one-page one
// (username and password in one step); BENCH_ONE_PAGE=0 skips it.
// BENCH_KEYCLOAK=1 runs Keycloak beside the OIDC logins (test/bench/keycloak.ts), level by level:
// fetched from Maven Central on first use, warmed up with BENCH_KEYCLOAK_WARMUP logins (1000).
// Then SP-initiated SAML SSO and the server's memory under it (test/bench/saml.ts): BENCH_SAML=0
// skips it, BENCH_SAML_CONCURRENCY (default "1,8") sets its concurrent browsers.
// Last, BENCH_OPEN_JOURNEYS=N (default off) opens N login journeys and reports memory per open
// journey and the cost of resuming an evicted one (test/bench/open-journeys.ts); then the RSS of
// every process at the end of the bench, and again after BENCH_IDLE_SECONDS (default 40; 0 skips)
// with no load, to tell memory a process holds from memory it has not yet given back (40: past
// the server's idle release, which waits for 20 s of quiet and looks every 5 s).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { installTemporalRuntime } from '../../bin/runtime/temporal-runtime.ts';
import { cleanup, cleanupOnSignals, onCleanup, stopping } from './cleanup.ts';
import { hashCost } from './hash-cost.ts';
import { startInfra } from './infra.ts';
import { runPhase, type PhaseResult } from './load.ts';
import { memoryOf, type Memory } from './processes.ts';
import { formatReport, type Report } from './report.ts';
import { formatOidcReport, runOidcBench } from './oidc.ts';
import { formatOidcLoginReport, onePageContender, runOidcLoginBench } from './oidc-login.ts';
import { formatSamlReport, runSamlBench } from './saml.ts';
import { formatOpenJourneys, runOpenJourneys } from './open-journeys.ts';
import { formatFloorReport, runFloorBench } from './floor.ts';
import { seed, unseed, UserPool } from './seed.ts';
import { prepareKeycloak } from './keycloak-phase.ts';
import { formatSideBySide } from './side-by-side.ts';
import { startTessera } from './tessera.ts';

function intEnv(name: string, fallback: number, min = 1): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

function formatMemory(memory: Record<string, Memory | undefined>): string {
  return Object.entries(memory).map(([name, m]) => `${name} ${m ? `${m.rssMb.toFixed(0)} / ${m.peakMb.toFixed(0)}` : '-'}`).join(', ');
}

function memoryByName(pids: Record<string, number>): Record<string, Memory | undefined> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, memoryOf(pid)]));
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

async function main(): Promise<void> {
  const seconds = intEnv('BENCH_SECONDS', 15);
  const userCount = intEnv('BENCH_USERS', 3000);
  const warmupLogins = intEnv('BENCH_WARMUP', 20);
  const levels = (process.env.BENCH_CONCURRENCY ?? '1,8,32').split(',').map(Number);
  if (levels.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('BENCH_CONCURRENCY must be a list like 1,8,32');
  const oidcLevels = (process.env.BENCH_OIDC_LOGIN_CONCURRENCY ?? '1,8,32').split(',').map(Number);
  if (oidcLevels.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('BENCH_OIDC_LOGIN_CONCURRENCY must be a list like 1,8,32');
  const samlLevels = (process.env.BENCH_SAML_CONCURRENCY ?? '1,8').split(',').map(Number);
  if (samlLevels.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('BENCH_SAML_CONCURRENCY must be a list like 1,8');

  const keycloakWanted = process.env.BENCH_KEYCLOAK === '1';
  const loadAverage = loadavg();
  cleanupOnSignals();
  installTemporalRuntime();
  const tmp = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
  onCleanup('tmp dir', () => rm(tmp, { recursive: true, force: true }));

  log('starting the Temporal dev server and the database…');
  const infra = await startInfra(tmp);
  log(`Temporal on ${infra.temporalAddress}, database: ${infra.database}; seeding ${userCount} users…`);
  const seeded = await seed(infra.db, userCount);
  if (infra.database === 'postgres') onCleanup('bench tenant', () => unseed(infra.db, seeded.tenant));
  const hashMs = await hashCost(infra.db, seeded.tenant, seeded.password);

  log('starting tessera server and tessera worker…');
  const tessera = await startTessera(infra, tmp);
  const memoryIdle = memoryByName(tessera.pids);
  const pool = new UserPool(seeded.users);
  const target = { base: tessera.base, tenant: seeded.tenant, password: seeded.password, pool };

  log(`warm-up: ${warmupLogins} logins…`);
  const warmup = await runPhase('warm-up', target, Math.min(4, warmupLogins), { logins: warmupLogins }, tessera.cpuMeters);
  const phases: PhaseResult[] = [];
  for (const concurrency of levels) {
    log(`${concurrency} concurrent users for ${seconds} s…`);
    const phase = await runPhase(`${concurrency} users`, target, concurrency, { seconds }, tessera.cpuMeters);
    log(`  ${phase.loginsPerSecond.toFixed(1)} logins/s, ${phase.errors} errors`);
    phases.push(phase);
  }
  if (stopping()) return; // interrupted: no report from half-stopped processes

  const memory = memoryByName(tessera.pids);
  const floor = process.env.BENCH_FLOOR === '0' ? undefined
    : await runFloorBench(infra.temporalAddress, tessera.taskQueue, tessera.codecKeys, { levels, seconds, warmup: warmupLogins }, tessera.cpuMeters, log);
  if (stopping()) return;
  const oidcUsers = intEnv('BENCH_OIDC_LOGIN_USERS', 1000);
  const keycloak = keycloakWanted && process.env.BENCH_OIDC_LOGIN !== '0'
    ? await prepareKeycloak(oidcUsers, intEnv('BENCH_KEYCLOAK_WARMUP', 1000), log) : undefined;
  if (stopping()) return;
  const oidcOpts = { users: oidcUsers, levels: oidcLevels, seconds, warmup: warmupLogins };
  const tesseraSystem = ['server', 'worker', 'temporal', 'database', 'postgres'].filter((k) => k in tessera.cpuMeters);
  const onePage = process.env.BENCH_OIDC_LOGIN === '0' || process.env.BENCH_ONE_PAGE === '0' ? undefined
    : await onePageContender(infra.db, tessera.base, oidcOpts, tessera.cpuMeters, tesseraSystem, log);
  const oidcLogin = process.env.BENCH_OIDC_LOGIN === '0' ? undefined
    : await runOidcLoginBench(infra.db, tessera.base, oidcOpts, tessera.cpuMeters, log,
      [...(onePage ? [onePage] : []), ...(keycloak ? [keycloak.contender] : [])]);
  const keycloakMemory = keycloak?.kc.memory();
  await keycloak?.kc.stop();
  if (stopping()) return;
  const oidcResult = process.env.BENCH_OIDC === '0' ? undefined
    : await runOidcBench(infra.db, tessera.base, intEnv('BENCH_OIDC_CONCURRENCY', 32), seconds, log, tessera.cpuMeters);
  if (stopping()) return;
  const samlResult = process.env.BENCH_SAML === '0' ? undefined
    : await runSamlBench(infra.db, target, { levels: samlLevels, seconds, warmup: warmupLogins }, tessera.server.pid, tessera.cpuMeters, log);
  if (stopping()) return;
  const openCount = process.env.BENCH_OPEN_JOURNEYS ? intEnv('BENCH_OPEN_JOURNEYS', 1) : 0;
  const openJourneys = openCount ? await runOpenJourneys(target, openCount, tessera.pids, tessera.cpuMeters, log) : undefined;
  if (stopping()) return;
  const memoryEnd = memoryByName(tessera.pids);
  // V8 and glibc give memory back on their own schedule once the load stops, the server also by
  // its idle release (20 s of quiet); the second reading says what stays.
  const idleSeconds = intEnv('BENCH_IDLE_SECONDS', 40, 0);
  if (idleSeconds > 0) log(`${idleSeconds} s without load before the last memory reading…`);
  const memoryAfterIdle = idleSeconds > 0 ? await new Promise<Record<string, Memory | undefined>>((resolve) => {
    setTimeout(() => resolve(memoryByName(tessera.pids)), idleSeconds * 1000);
  }) : undefined;
  if (stopping()) return;
  const failed = [warmup, ...phases].reduce((n, p) => n + p.errors, 0);
  const report: Report = {
    machine: {
      cores: availableParallelism(), cpu: cpus()[0]?.model.trim() ?? 'unknown', memoryGb: totalmem() / 2 ** 30,
      node: process.version, platform: `${process.platform} ${process.arch}`,
    },
    database: infra.database === 'pglite' ? 'PGlite (embedded, a process of its own)' : 'PostgreSQL (DATABASE_URL)',
    temporalStore: infra.temporalStore,
    secondsPerPhase: seconds, users: userCount, hashMs, warmup, phases, memoryIdle, memory, poolWaits: pool.waits, loadAverage,
    childErrors: failed ? tessera.errorLog() : [],
  };
  console.log(formatReport(report));
  if (floor) console.log(`\n${formatFloorReport(floor, phases)}`);
  if (oidcLogin) console.log(`\n${formatOidcLoginReport(oidcLogin, report.machine.cores)}`);
  if (oidcLogin?.others.length) {
    // The last one is the anchor of the ratios: Keycloak when it ran, else identifier-first.
    const main = { name: 'tessera identifier-first', system: tesseraSystem, warmup: oidcLogin.warmup, phases: oidcLogin.phases };
    const ordered = keycloak ? [main, ...oidcLogin.others] : [...oidcLogin.others, main];
    console.log(`\n${formatSideBySide('Complete OIDC login, side by side (interleaved per level; CPU summed over each system\'s processes, load generator apart)', ordered)}`);
    if (keycloakMemory) console.log(`Keycloak JVM RSS after its phases: ${keycloakMemory.rssMb.toFixed(0)} MiB (peak ${keycloakMemory.peakMb.toFixed(0)} MiB)`);
  }
  if (oidcResult) console.log(`\n${formatOidcReport(oidcResult)}`);
  if (samlResult) console.log(`\n${formatSamlReport(samlResult, report.machine.cores)}`);
  if (openJourneys) console.log(`\n${formatOpenJourneys(openJourneys, process.env.TESSERA_WORKER_CACHED_WORKFLOWS ?? 'unset (the default)')}`);
  console.log(`\nMemory at the end of the bench (RSS / peak MiB): ${formatMemory(memoryEnd)}`);
  if (memoryAfterIdle) console.log(`Memory ${idleSeconds} s later, no load (RSS / peak MiB): ${formatMemory(memoryAfterIdle)}`);
  const json = join(tmpdir(), `tessera-bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(json, JSON.stringify({ ...report, floor, oidcLogin, oidc: oidcResult, saml: samlResult, openJourneys, memoryEnd, memoryAfterIdle }, null, 2));
  console.log(`\nJSON copy: ${json}`);
  const oidcFailed = oidcResult ? [oidcResult.clientCredentials, oidcResult.refresh, oidcResult.introspection].reduce((n, l) => n + l.errors, 0) : 0;
  const oidcLoginFailed = oidcLogin ? [oidcLogin.warmup, ...oidcLogin.phases, ...oidcLogin.others.flatMap((o) => o.phases)].reduce((n, p) => n + p.errors, 0) : 0;
  const samlFailed = samlResult ? [samlResult.warmup, ...samlResult.phases].reduce((n, p) => n + p.errors, 0) : 0;
  const openFailed = openJourneys ? openJourneys.errors + openJourneys.oldest.errors + openJourneys.newest.errors : 0;
  if (failed || oidcFailed || oidcLoginFailed || samlFailed || openFailed) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  console.error(`[bench] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
