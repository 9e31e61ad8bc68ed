// One place that reads the environment (DESIGN.md §6). Everything else receives a Config.
import { resolve } from 'node:path';
import { parseDuration } from './duration.ts';
import { observabilityConfig, type ObservabilityConfig } from './observability-config.ts';
import { idleReleaseSeconds } from './idle-release-setting.ts';
import { workerCachedWorkflows } from './worker-cache.ts';
import { workflowRuntime, type WorkflowRuntime } from './workflow-runtime.ts';

export interface Config extends ObservabilityConfig {
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  taskQueue: string;
  dataDir: string;
  smtpUrl: string | undefined;
  /** From address of outgoing mail (MAIL_FROM); undefined: the mailer's default. */
  mailFrom: string | undefined;
  seed: string | undefined;
  journeyIdleTimeoutMs: number;
  /**
   * How long a request waits for Temporal and a worker (JOURNEY_ANSWER_TIMEOUT) before it is
   * answered 503 + Retry-After: server/middleware/temporal-deadline.ts.
   */
  journeyAnswerTimeoutMs: number;
  production: boolean;
  /**
   * The dev mailbox at /dev/mail (it shows sign-in codes and links): on only with TESSERA_DEV_MAIL=1,
   * whatever NODE_ENV or TESSERA_SEED say, so no deployment exposes it by forgetting a variable.
   */
  devMail: boolean;
  /** Codec keys as "id:base64key" pairs, first one encrypts; unset → generated under dataDir. */
  codecKeys: string | undefined;
  /** Keys sealing secrets at rest (TESSERA_DATA_KEYS, same format); unset → derived from the codec keys. */
  dataKeys: string | undefined;
  temporalCliPath: string | undefined;
  /** Origins of Temporal Web UIs that may call the codec server (TEMPORAL_UI_ORIGINS, comma-separated). */
  temporalUiOrigins: string[];
  /** Express `trust proxy`: hop count, true, or a list of trusted addresses/subnets. */
  trustProxy: boolean | number | string;
  /** Journeys a worker keeps in memory between steps (TESSERA_WORKER_CACHED_WORKFLOWS); core/infra/worker-cache.ts. */
  workerCachedWorkflows: number;
  /** Seconds without HTTP traffic before the server gives back what a burst grew, 0: never (TESSERA_IDLE_RELEASE_SECONDS); bin/runtime/idle-memory-release.ts. */
  idleReleaseSeconds: number;
  /** Where the worker runs journey code (TESSERA_WORKFLOW_RUNTIME); core/infra/workflow-runtime.ts. */
  workflowRuntime: WorkflowRuntime;
}

function devMail(env: NodeJS.ProcessEnv): boolean {
  const value = env.TESSERA_DEV_MAIL?.trim().toLowerCase();
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  if (value) throw new Error(`TESSERA_DEV_MAIL must be 1 or 0, got "${env.TESSERA_DEV_MAIL}"`);
  return false;
}

function trustProxy(value: string | undefined): boolean | number | string {
  if (!value || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** @throws Error naming the variable when one is malformed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  let idle: number;
  try {
    idle = parseDuration(env.JOURNEY_IDLE_TIMEOUT ?? '15m');
  } catch {
    throw new Error(`JOURNEY_IDLE_TIMEOUT must be a duration such as 15m, got "${env.JOURNEY_IDLE_TIMEOUT}"`);
  }
  let answer: number;
  try {
    answer = parseDuration(env.JOURNEY_ANSWER_TIMEOUT ?? '20s');
  } catch {
    throw new Error(`JOURNEY_ANSWER_TIMEOUT must be a duration such as 20s, got "${env.JOURNEY_ANSWER_TIMEOUT}"`);
  }
  if (answer < 1000) throw new Error(`JOURNEY_ANSWER_TIMEOUT must be at least 1s, got "${env.JOURNEY_ANSWER_TIMEOUT}"`);
  return {
    port,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || 'tessera',
    dataDir: resolve(env.DATA_DIR || './.tessera'),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM?.trim() || undefined,
    seed: env.TESSERA_SEED || undefined,
    journeyIdleTimeoutMs: idle,
    journeyAnswerTimeoutMs: answer,
    production: env.NODE_ENV === 'production',
    devMail: devMail(env),
    codecKeys: env.TESSERA_CODEC_KEYS || undefined,
    dataKeys: env.TESSERA_DATA_KEYS || undefined,
    temporalCliPath: env.TEMPORAL_CLI_PATH || undefined,
    trustProxy: trustProxy(env.TRUST_PROXY),
    ...observabilityConfig(env),
    workerCachedWorkflows: workerCachedWorkflows(env.TESSERA_WORKER_CACHED_WORKFLOWS),
    idleReleaseSeconds: idleReleaseSeconds(env.TESSERA_IDLE_RELEASE_SECONDS),
    workflowRuntime: workflowRuntime(env.TESSERA_WORKFLOW_RUNTIME),
    temporalUiOrigins: (env.TEMPORAL_UI_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean),
  };
}
