// HTTP for SCIM (RFC 7644 §3.1, §3.8, §3.12): answers are application/scim+json and never cached;
// request bodies are application/scim+json or application/json (415 otherwise), at most 256 KiB
// and nested at most MAX_DEPTH levels; every error is a SCIM Error message, and an unexpected one
// is logged without request data (bodies carry passwords, headers carry tokens).
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { ScimError, invalidSyntax } from '../../../core/scim/scim-error.ts';
import { HttpError } from '../../http-error.ts';
import { MAX_DEPTH, nestsDeeperThan } from '../../middleware/json-body.ts';
import { logger } from '../../../core/infra/logger.ts';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const MAX_BODY = 256 * 1024;

export function sendScim(res: Response, status: number, body?: unknown, etag?: string): void {
  res.set('Cache-Control', 'no-store');
  if (etag) res.set('ETag', etag);
  if (body === undefined) {
    res.status(status).end();
    return;
  }
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

const parse = express.json({ limit: MAX_BODY, strict: true, type: () => true });

export const scimBody: RequestHandler = (req, res, next) => {
  if (!req.is('application/scim+json') && !req.is('application/json')) {
    return next(new ScimError(415, 'Send the body as application/scim+json (or application/json).'));
  }
  parse(req, res, (err?: any) => {
    if (err) {
      if (err.type === 'entity.too.large') return next(new ScimError(413, `The request body is larger than ${MAX_BODY / 1024} KiB.`));
      return next(invalidSyntax('The request body is not valid JSON.'));
    }
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) return next(invalidSyntax('The request body must be a JSON object.'));
    if (nestsDeeperThan(req.body, MAX_DEPTH)) return next(invalidSyntax(`The request body nests deeper than ${MAX_DEPTH} levels.`));
    if (JSON.stringify(req.body).includes('\\u0000')) return next(new ScimError(400, 'The request body must not contain NUL characters.', 'invalidValue'));
    next();
  });
};

/** A management API refusal in SCIM's words (the status kept; scimType from the refusal's code). */
export function fromHttpError(err: HttpError): ScimError {
  switch (err.status) {
    case 400: return new ScimError(400, err.message, 'invalidValue');
    case 409: return err.code === 'user_exists' || err.code === 'group_exists'
      ? new ScimError(409, err.message, 'uniqueness')
      : new ScimError(400, err.message, 'mutability');
    default: return new ScimError(err.status, err.message);
  }
}

function describe(err: unknown): string {
  if (err && typeof err === 'object' && (err as { name?: string }).name === 'PostgresError') return `database error ${(err as { code?: string }).code ?? '?'}`;
  return err instanceof Error ? err.message : String(err);
}

export const scimErrors: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  const scim = err instanceof ScimError ? err : err instanceof HttpError ? fromHttpError(err) : undefined;
  if (scim) return sendScim(res, scim.status, scim.body());
  logger.error(`[scim] ${req.method} ${req.baseUrl}${req.path} failed: ${describe(err)}`);
  sendScim(res, 500, new ScimError(500, 'Something went wrong on our side.').body());
};
