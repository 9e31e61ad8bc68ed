// The shape of an auth module (DESIGN.md §3): one file per module under activities/modules/,
// listed once in activities/registry.ts. The journey workflow never names a module; it calls
// `prepare` for every node it reaches and `verify` with the user's input when `prepare` asked.
import type { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Config } from '../../core/infra/config.ts';
import type { Db } from '../../core/infra/db.ts';
import type { AuditEvent } from '../../core/infra/audit.ts';
import type { Mailer } from '../../core/infra/mail.ts';
import type { NodeCall, PrepareResult, VerifyResult } from '../../core/journeys/journey-context.ts';

export interface ModuleDeps {
  db: Db;
  config: Config;
  audit(event: AuditEvent): Promise<void>;
  now(): Date;
  /** Outgoing mail (SMTP or the dev mailbox); sends are deduplicated by key. */
  mail: Mailer;
  /** For modules that start workflows of their own (e.g. a lockout that ends on a durable timer). */
  temporal?: Client;
}

export interface ModuleCallOf<C> extends Omit<NodeCall, 'config'> { config: C }

export interface AuthModule<C = any> {
  type: string;
  config: z.ZodType<C>;
  outcomes: readonly string[] | ((config: C) => string[]);
  /** Shows a step, or decides an outcome without the user. */
  prepare(call: ModuleCallOf<C>, deps: ModuleDeps): Promise<PrepareResult>;
  /** Judges the values submitted for the step `prepare` showed. */
  verify?(call: ModuleCallOf<C>, values: Record<string, string>, deps: ModuleDeps): Promise<VerifyResult>;
  /** Outcomes a tree may leave unrouted; they then lead to the `failure` terminal. */
  optionalOutcomes?: readonly string[];
  /** Other trees a node runs (loaded into the journey's snapshot at its start). */
  innerTrees?(config: C): string[];
  /** Outcomes a node with `remember` stores and later replays; default: the first outcome. */
  rememberOutcomes?: readonly string[];
  /**
   * The AMR values a success of this module proves. In a step-up journey (request.stepUp) whose
   * session already proved all of them, the node answers its first outcome without a step.
   */
  proves?: readonly string[] | ((config: C) => readonly string[]);
}

export function defineModule<C>(module: AuthModule<C>): AuthModule<C> {
  return module;
}
