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
