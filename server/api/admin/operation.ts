// One management operation = one route of the admin API = one thing the CLI can do. Declared once
// with zod schemas for its path parameters, query, body and answer; the HTTP binding
// (http-binding.ts), the OpenAPI document (openapi.ts) and the CLI (bin/admin-operations.ts) are
// all derived from this declaration, so they cannot drift apart.
import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import type { Access, AdminPrincipal } from './principal.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AdminDeps {
  db: Db;
  config: Config;
  /** Temporal, for operations that talk to workflows (the CLI connects only when one asks). */
  temporal: () => Promise<Client>;
}

/** What the audit event of a change says beyond the defaults (type `admin.<operation id>`, subject the `{id}` in the path). */
export interface AuditNote { type?: string; subject?: string; data?: Record<string, unknown>; tenant?: string }

export interface OperationContext extends AdminDeps {
  principal: AdminPrincipal;
  /** The tenant in the path (tenant-scoped operations), else undefined. */
  tenant: string;
  /** Adds to the audit event the binding records after a successful change (never a secret). */
  note: (note: AuditNote) => void;
}

export interface OperationInput<P, Q, B> { params: P; query: Q; body: B }

/** What an operation may return for a response type: dates where the JSON has strings (it is serialized before checking). */
export type Answer<T> = T extends string ? T | Date
  : T extends readonly (infer U)[] ? Answer<U>[]
  : T extends object ? { [K in keyof T]: Answer<T[K]> }
  : T;

export interface Operation<
  P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType,
> {
  /** OpenAPI operationId and the audit event type of a change: `<resource>.<verb>`, e.g. `users.update`. */
  id: string;
  method: Method;
  /** Relative to `/t/{tenant}/api/admin` (scope tenant) or `/api/admin` (scope global), OpenAPI style: `/users/{id}`. */
  path: string;
  scope: 'tenant' | 'global';
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** A body is optional (an empty request is `{}`). */
  optionalBody?: boolean;
  response: R;
  /** 200 unless said; 204 answers no body. */
  status?: 200 | 201 | 202 | 204;
  /**
   * The operation whose answer is this resource's representation (its GET): its ETag is sent with
   * GET answers and checked against `If-Match` before a PATCH, PUT or DELETE (412 when stale).
   */
  etagOf?: string;
  /** A POST that changes nothing (validate, preview): no audit event. */
  audit?: false;
  /** For global operations that act on one tenant: which (checked against the caller's roles). */
  tenantOf?: (input: OperationInput<z.output<P>, z.output<Q>, z.output<B>>) => string | undefined;
  run: (ctx: OperationContext, input: OperationInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Answer<z.input<R>>>;
}

export function defineOperation<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  op: Operation<P, Q, B, R>,
): Operation {
  return op as unknown as Operation;
}
