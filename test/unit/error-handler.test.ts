// Unexpected errors: a generic 500 without details, and nothing the request carried in the log.
import { afterEach, expect, it, vi } from 'vitest';
import type { NextFunction, Request, Response } from 'express';
import { errorHandler } from '../../server/middleware/error-handler.ts';
import { logger } from '../../core/infra/logger.ts';

afterEach(() => vi.restoreAllMocks());

function respond(err: unknown) {
  const res = { headersSent: false, statusCode: 0, body: undefined as unknown, status(code: number) { this.statusCode = code; return this; }, json(body: unknown) { this.body = body; return this; } };
  const logged: string[] = [];
  vi.spyOn(logger, 'error').mockImplementation(((line: string) => void logged.push(line)) as never);
  errorHandler(err, { method: 'POST', path: '/t/acme/api/journeys/x/steps/password%231' } as Request, res as unknown as Response, (() => {}) as NextFunction);
  return { res, logged };
}

it('logs a database error by its code only: its message may quote a password', () => {
  const err = Object.assign(new Error('invalid input syntax for type uuid: "hunter2-secret"'), { name: 'PostgresError', code: '22P02', routine: 'string_to_uuid' });
  const { res, logged } = respond(err);
  expect(res.statusCode).toBe(500);
  expect(res.body).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
  expect(logged.join('\n')).not.toContain('hunter2-secret');
  expect(logged.join('\n')).toContain('22P02');
});

it('never sends a stack trace', () => {
  const { res } = respond(new TypeError('boom at /work/main/server/app.ts:12'));
  expect(JSON.stringify(res.body)).not.toMatch(/boom|app\.ts|at /);
});

it('answers an outage with 503 and Retry-After: a page for a browser navigating, JSON for an API client', () => {
  const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const answer = (accept: string, method = 'GET') => {
    const res = {
      headersSent: false, statusCode: 0, body: undefined as unknown, headers: {} as Record<string, string>, kind: 'json',
      status(code: number) { this.statusCode = code; return this; },
      set(name: string, value: string) { this.headers[name] = value; return this; },
      type(kind: string) { this.kind = kind; return this; },
      send(body: unknown) { this.body = body; return this; },
      json(body: unknown) { this.body = body; return this; },
    };
    vi.spyOn(logger, 'warn').mockImplementation((() => {}) as never);
    const req = { method, path: '/t/acme/login', accepts: (types: string[]) => (accept.includes('text/html') ? 'html' : types[0]) };
    errorHandler(down, req as unknown as Request, res as unknown as Response, (() => {}) as NextFunction);
    return res;
  };
  const page = answer('text/html,application/xhtml+xml,*/*;q=0.8');
  expect(page).toMatchObject({ statusCode: 503, kind: 'html', headers: { 'Retry-After': '5' } });
  expect(String(page.body)).toContain('Briefly unavailable');
  expect(answer('*/*')).toMatchObject({ statusCode: 503, kind: 'json', body: { error: { code: 'temporarily_unavailable' } } });
  expect(answer('text/html', 'POST')).toMatchObject({ statusCode: 503, kind: 'json' });
});
