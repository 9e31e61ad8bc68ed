// Which errors mean "a dependency is down for now" (503 + Retry-After) and which are bugs (500):
// real errors from the drivers, made by talking to a port where nothing listens.
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { expect, it, vi } from 'vitest';
import type { NextFunction, Request, Response } from 'express';
import { openDb } from '../../core/infra/db.ts';
import { unavailableDependency } from '../../core/infra/unavailable.ts';
import { errorHandler } from '../../server/middleware/error-handler.ts';
import { freePort } from '../support/processes.ts';

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

it('classifies a refused PostgreSQL connection as the database being down', async () => {
  const db = openDb(`postgres://postgres@127.0.0.1:${await freePort()}/none`);
  try {
    expect(unavailableDependency(await caught(db`SELECT 1`))).toBe('database');
  } finally {
    await db.end({ timeout: 1 });
  }
});

it('classifies PostgreSQL shutdown and connection SQLSTATEs, and nothing else', () => {
  const pg = (code: string) => Object.assign(new Error('x'), { name: 'PostgresError', code });
  expect(unavailableDependency(pg('57P01'))).toBe('database');
  expect(unavailableDependency(pg('08006'))).toBe('database');
  expect(unavailableDependency(pg('23505'))).toBeUndefined();
  expect(unavailableDependency(pg('22P02'))).toBeUndefined();
  expect(unavailableDependency(new TypeError('boom'))).toBeUndefined();
  expect(unavailableDependency(undefined)).toBeUndefined();
});

it('classifies the Temporal client\'s errors for an unreachable frontend, and not a refused update', () => {
  const grpc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details });
  expect(unavailableDependency(new ServiceError('Failed to start Workflow', { cause: grpc(14, 'No connection established') }))).toBe('temporal');
  expect(unavailableDependency(new ServiceError('Deadline', { cause: grpc(4, 'Deadline exceeded') }))).toBe('temporal');
  expect(unavailableDependency(new ServiceError('Not found', { cause: grpc(5, 'workflow not found') }))).toBeUndefined();
  expect(unavailableDependency(new ServiceError('Invalid', { cause: grpc(3, 'invalid argument') }))).toBeUndefined();
});

it('classifies an update call the SDK gave up on, whichever way it ended, as Temporal being down', () => {
  const grpc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details });
  expect(unavailableDependency(new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled', { cause: grpc(1, 'context canceled') }))).toBe('temporal');
  expect(unavailableDependency(new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled'))).toBe('temporal');
  // A bare CANCELLED elsewhere (not an update's wait) stays a bug until it is understood.
  expect(unavailableDependency(grpc(1, 'context canceled'))).toBeUndefined();
});

it('answers 503 with Retry-After, without details, for an unavailable dependency', () => {
  const res = {
    headersSent: false, statusCode: 0, headers: {} as Record<string, string>, body: undefined as unknown,
    status(code: number) { this.statusCode = code; return this; },
    set(name: string, value: string) { this.headers[name] = value; return this; },
    json(body: unknown) { this.body = body; return this; },
  };
  vi.spyOn(console, 'error').mockImplementation(() => {});
  const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2'), { code: 'ECONNREFUSED' });
  errorHandler(err, { method: 'GET', path: '/x' } as Request, res as unknown as Response, (() => {}) as NextFunction);
  expect(res.statusCode).toBe(503);
  expect(res.headers['Retry-After']).toMatch(/^\d+$/);
  expect(JSON.stringify(res.body)).not.toMatch(/hunter2|5432/);
  vi.restoreAllMocks();
});
