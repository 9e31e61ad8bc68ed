// The management operations as Express routes: path parameters, query and JSON body handed to
// execute(), its outcome sent as JSON with the ETag. A body is JSON (415 otherwise) of at most
// 64 KiB; an operation with an optional body treats an empty request as `{}`.
import { Router, type RequestHandler } from 'express';
import { jsonBody } from '../../middleware/json-body.ts';
import { execute, type Catalogue } from './execute.ts';
import type { AdminDeps, Operation } from './operation.ts';
import type { AdminPrincipal } from './principal.ts';

/** `/users/{id}` → `/users/:id` */
export const expressPath = (path: string) => path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');

const emptyRequest: RequestHandler = (req, _res, next) => {
  const empty = !req.get('transfer-encoding') && Number(req.get('content-length') ?? 0) === 0;
  if (empty) req.body = {};
  next();
};

function bodyParser(op: Operation): RequestHandler[] {
  if (!op.body) return [];
  if (!op.optionalBody) return [jsonBody];
  return [emptyRequest, (req, res, next) => (req.body !== undefined ? next() : jsonBody(req, res, next))];
}

function handler(op: Operation, deps: AdminDeps, catalogue: Catalogue): RequestHandler {
  return async (req, res) => {
    const outcome = await execute(op, {
      params: req.params, query: req.query, body: req.body, tenant: req.tenant?.id, ifMatch: req.get('if-match'),
    }, deps, res.locals.principal as AdminPrincipal, catalogue);
    if (outcome.etag) res.set('ETag', outcome.etag);
    if (outcome.body === undefined) res.status(outcome.status).end();
    else res.status(outcome.status).json(outcome.body);
  };
}

/** Routes for the operations of one scope, in declaration order (literal paths before `{id}`). */
export function bindOperations(operations: Operation[], scope: Operation['scope'], deps: AdminDeps, catalogue: Catalogue): Router {
  const router = Router({ mergeParams: true });
  for (const op of operations.filter((o) => o.scope === scope)) {
    const method = op.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    router[method](expressPath(op.path), ...bodyParser(op), handler(op, deps, catalogue));
  }
  return router;
}
