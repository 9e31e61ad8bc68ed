// Runs one management operation for any transport (HTTP, the CLI): input checked against the
// operation's schemas, the caller's roles checked for the tenant, `If-Match` checked against the
// resource's current ETag, then the operation, its answer checked against (and trimmed to) the
// response schema, and an audit event for every change naming who made it.
// Rules: bad input → 400 naming the field, and nothing runs; no role in the tenant → 404, the same
// answer as a tenant that does not exist; a role that falls short → 403; a stale If-Match → 412.
// A change of a resource with an ETag runs with its If-Match check, the change and its audit
// event as one atomic step (resource-lock.ts): of two changes sent with the same ETag, one wins.
import type { z } from 'zod';
import { recordAudit } from '../../../core/infra/audit.ts';
import { HttpError } from '../../http-error.ts';
import type { Db } from '../../../core/infra/db.ts';
import { etagOf, ifMatchAccepts } from './etag.ts';
import type { AdminDeps, AuditNote, Operation, OperationContext } from './operation.ts';
import { authorize, isSuperAdmin, type AdminPrincipal } from './principal.ts';
import { withResourceLock } from './resource-lock.ts';
import { checkSuperAdminTarget } from './super-admin-target.ts';

export interface RawInput { params?: unknown; query?: unknown; body?: unknown; tenant?: string; ifMatch?: string }
export interface Outcome { status: number; body: unknown; etag?: string }

/** The message of a 400: every issue as `field: message`. */
export function schemaMessage(error: z.ZodError, where: string): string {
  return error.issues.map((i) => `${[where, ...i.path].filter((p) => p !== '').join('.')}: ${i.message}`).join('; ');
}

const MAX_DEPTH = 32;

/**
 * Checks what no schema should have to: PostgreSQL refuses NUL in text (SQLSTATE 22021), so no
 * string or key may carry one; and input nested deeper than any resource needs is refused before
 * anything walks it recursively. Iterative, so hostile nesting cannot exhaust the stack.
 * @returns the problem as `field: message`, or undefined.
 */
function inputProblem(value: unknown, where: string): string | undefined {
  const stack: [unknown, string, number][] = [[value, where, 0]];
  while (stack.length) {
    const [item, path, depth] = stack.pop()!;
    if (typeof item === 'string' && item.includes('\u0000')) return `${path}: must not contain NUL characters`;
    if (!item || typeof item !== 'object') continue;
    if (depth >= MAX_DEPTH) return `${path}: nested too deeply`;
    for (const [key, inner] of Object.entries(item)) {
      if (key.includes('\u0000')) return `${path}: must not contain NUL characters`;
      stack.push([inner, `${path}.${key}`, depth + 1]);
    }
  }
  return undefined;
}

function parsed<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> {
  if (!schema) return {} as z.output<T>;
  const problem = inputProblem(value, where);
  if (problem) throw new HttpError(400, 'invalid_request', problem);
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new HttpError(400, 'invalid_request', schemaMessage(result.error, where));
  return result.data;
}

export const tenantHidden = (tenant: string) => new HttpError(404, 'tenant_not_found', `There is no tenant "${tenant.slice(0, 64)}".`);

export type Catalogue = ReadonlyMap<string, Operation>;

export async function execute(op: Operation, raw: RawInput, deps: AdminDeps, principal: AdminPrincipal, catalogue: Catalogue): Promise<Outcome> {
  const params = parsed(op.params, raw.params, 'path');
  const query = parsed(op.query, raw.query, 'query');
  const body = parsed(op.body, raw.body, 'body');
  const input = { params, query, body };
  const tenant = op.scope === 'tenant' ? raw.tenant : op.tenantOf?.(input);
  if (op.scope === 'tenant' && !tenant) throw new Error(`${op.id}: a tenant-scoped operation needs its tenant`);
  if (tenant !== undefined) {
    const verdict = authorize(principal, tenant, op.access);
    if (verdict === 'hidden') throw tenantHidden(tenant);
    if (verdict === 'forbidden') throw new HttpError(403, 'forbidden', 'Your role does not allow this.');
  } else if (!isSuperAdmin(principal) && op.access.write) {
    throw new HttpError(403, 'forbidden', 'Only a super-admin may do this.');
  }
  if (tenant !== undefined) await checkSuperAdminTarget(deps.db, op, principal, tenant, params);

  const representationOp = op.etagOf ? catalogue.get(op.etagOf) : undefined;
  const change = async (db: Db): Promise<Outcome> => {
    const notes: AuditNote[] = [];
    const ctx: OperationContext = { ...deps, db, principal, tenant: tenant ?? '', note: (n) => notes.push(n) };
    if (raw.ifMatch !== undefined && representationOp && op.method !== 'GET') {
      const current = checkedAnswer(representationOp, await representationOp.run(ctx, input));
      if (!ifMatchAccepts(raw.ifMatch, etagOf(current))) {
        throw new HttpError(412, 'precondition_failed', 'The resource changed since you read it (If-Match): read it again, then retry.');
      }
    }
    const result = await op.run(ctx, input);
    const status = op.status ?? 200;
    const answer = status === 204 ? undefined : checkedAnswer(op, result);
    const note = Object.assign({}, ...notes) as AuditNote;
    const auditTenant = note.tenant ?? tenant;
    if (op.method !== 'GET' && op.audit !== false && auditTenant) {
      const subject = note.subject ?? (params as { id?: unknown }).id;
      await recordAudit(db, {
        tenant: auditTenant, type: note.type ?? `admin.${op.id}`, actor: principal.actor,
        ...(subject !== undefined ? { subject: String(subject) } : {}),
        ...(note.data ? { data: note.data } : {}),
      });
    }
    return { status, body: answer, ...(answer !== undefined && representationOp ? { etag: etagOf(answer) } : {}) };
  };
  if (!representationOp || op.method === 'GET') return change(deps.db);
  // Named by the resource as its GET names it: the tenant, that operation and the path's parameters.
  const resource = JSON.stringify([tenant ?? '', representationOp.id, params]);
  return withResourceLock(deps.db, resource, change);
}

/** The answer as JSON (dates as ISO strings), trimmed to the response schema. @throws when the operation broke its own schema. */
function checkedAnswer(op: Operation, result: unknown): unknown {
  const json = result === undefined ? undefined : JSON.parse(JSON.stringify(result));
  const checked = op.response.safeParse(json);
  if (!checked.success) throw new Error(`${op.id} answered outside its response schema: ${schemaMessage(checked.error, 'response')}`);
  return checked.data;
}
