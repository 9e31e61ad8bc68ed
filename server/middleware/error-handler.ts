// The last middleware: turns errors into the JSON error shape. Never sends a stack trace, and
// never logs request bodies (they may carry passwords).
import type { ErrorRequestHandler } from 'express';
import { escapeHtml, pageHtml } from '../html-page.ts';
import { HttpError } from '../http-error.ts';
import { logger } from '../../core/infra/logger.ts';
import { RETRY_AFTER_S, unavailableDependency } from '../../core/infra/unavailable.ts';

const UNAVAILABLE_TEXT = 'The service is briefly unavailable. Try again in a few seconds.';

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof HttpError) {
    res.status(err.status).json({ ...(err.body ?? {}), error: { code: err.code, message: err.message } });
    return;
  }
  // Temporal or the database down for now: ask the client to come back rather than show a bug.
  const down = unavailableDependency(err);
  if (down) {
    logger.warn(`[server] ${req.method} ${req.path}: ${down} unavailable (503)`);
    res.status(503).set('Retry-After', String(RETRY_AFTER_S));
    // A browser navigating (a login page, an OIDC authorize) gets a page it can show; API clients JSON.
    if (req.method === 'GET' && req.accepts?.(['json', 'html']) === 'html') {
      res.type('html').send(pageHtml({
        title: 'Briefly unavailable',
        body: `<div class="status status-neutral"><p class="status-text">${escapeHtml(UNAVAILABLE_TEXT)}</p></div>`,
      }));
      return;
    }
    res.json({ error: { code: 'temporarily_unavailable', message: UNAVAILABLE_TEXT } });
    return;
  }
  // Errors from Express itself (static files, http-errors) carry their own 4xx status.
  const status = typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    res.status(status).json({ error: { code: status === 404 ? 'not_found' : 'bad_request', message: status === 404 ? 'Not found.' : 'Bad request.' } });
    return;
  }
  logger.error(`[server] ${req.method} ${req.path} failed: ${describe(err)}`);
  res.status(500).json({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
};

/** What to log of an unexpected error. Database errors can quote the values a query carried (a
 * password, a code), so only their SQLSTATE and routine are logged. */
function describe(err: unknown): string {
  if (err && typeof err === 'object' && (err as { name?: string }).name === 'PostgresError') {
    const pg = err as { code?: string; routine?: string };
    return `database error ${pg.code ?? '?'} (${pg.routine ?? 'unknown routine'})`;
  }
  return err instanceof Error ? err.message : String(err);
}
