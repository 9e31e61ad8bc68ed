// Gives every request an id and a log context, and writes one access line when it ends.
// Rules: an incoming X-Request-Id is kept only when it is short and plain (letters, digits and
// `._:-`, at most 128), else a new UUID is used; the id is echoed in the response's X-Request-Id;
// the access line has the path without its query (which may hold codes and tokens), and no
// email address in it.
import { randomUUID } from 'node:crypto';
import { context as otelContext } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { currentLogContext, withLogContext } from '../../core/infra/log-context.ts';
import { logger, scrubText } from '../../core/infra/logger.ts';
import { httpDuration } from '../../core/infra/metrics.ts';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the caller's when sane, else a new one. */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && SANE_ID.test(given) ? given : randomUUID();
}

export function requestContext(): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    withLogContext({ requestId }, () => {
      // The 'finish' event fires outside this context: keep both (the log context is filled in
      // later by the routes, so the same object is logged with what they added).
      const fields = currentLogContext()!;
      const active = otelContext.active();
      res.once('finish', () => otelContext.with(active, () => withLogContext(fields, () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        httpDuration.observe({ method: req.method, status: String(res.statusCode) }, ms / 1000);
        logger.info({ method: req.method, path: scrubText(req.originalUrl.split('?')[0]!.slice(0, 300)), status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
      })));
      next();
    });
  };
}
