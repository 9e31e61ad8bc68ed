// The JSON logger: one object a line, the level as its name, the request/activity context and the
// active trace id on every line, secret and personal fields redacted, emails scrubbed from texts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { addLogContext, withLogContext } from '../../core/infra/log-context.ts';
import { createLogger, logLevel, scrubText } from '../../core/infra/logger.ts';

function capture(level: Parameters<typeof createLogger>[1] = 'trace') {
  const lines: string[] = [];
  const logger = createLogger({ write: (chunk: string) => { lines.push(chunk); return true; } } as unknown as NodeJS.WritableStream, level);
  return { logger, lines, objects: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('logger', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => void context.setGlobalContextManager(manager.enable()));
  afterAll(() => { manager.disable(); context.disable(); });

  it('writes one JSON object a line with level name, time, pid and message', () => {
    const { logger, lines, objects } = capture();
    logger.info('first');
    logger.warn({ status: 503 }, 'second');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
    expect(objects()[0]).toMatchObject({ level: 'info', msg: 'first', pid: process.pid });
    expect(objects()[1]).toMatchObject({ level: 'warn', msg: 'second', status: 503 });
    expect(new Date(objects()[0]!.time).toISOString()).toBe(objects()[0]!.time);
  });

  it('redacts passwords, codes, tokens, secrets, emails and credential headers at any of the first levels', () => {
    const { logger, objects } = capture();
    logger.info({
      password: 'hunter2', email: 'a@b.example', client_secret: 's3cret', token: 'tok',
      values: { code: '123456', newPassword: 'pw2', otp: '654321' },
      req: { headers: { authorization: 'Bearer abc', cookie: 'tessera_session=xyz', 'set-cookie': 'a=b', 'user-agent': 'kept' } },
      refresh_token: 'rt', keep: 'visible',
    }, 'input');
    const [line] = objects();
    const text = JSON.stringify(line);
    for (const secret of ['hunter2', 'a@b.example', 's3cret', '"tok"', '123456', 'pw2', '654321', 'Bearer abc', 'xyz', 'a=b', '"rt"']) expect(text).not.toContain(secret);
    expect(line).toMatchObject({ password: '[redacted]', values: { code: '[redacted]' }, req: { headers: { authorization: '[redacted]', 'user-agent': 'kept' } }, keep: 'visible' });
  });

  it('redacts inside arrays and errors at the first three levels, and never changes the logged object', () => {
    const { logger, objects } = capture();
    const failure = Object.assign(new Error('upstream refused'), { token: 'err-tok' });
    const logged = { attempts: [{ password: 'pw-in-array' }], err: failure, a: { b: { token: 'third-level' } }, deep: { b: { c: { token: 'fourth' } } } };
    logger.error(logged, 'failed');
    const [line] = objects();
    expect(line).toMatchObject({ attempts: [{ password: '[redacted]' }], err: { message: 'upstream refused', token: '[redacted]' }, a: { b: { token: '[redacted]' } } });
    expect(line!.err.stack).toContain('upstream refused');
    // Beyond the third level nothing is looked at (as documented): keep secrets out of deep objects.
    expect(line!.deep.b.c.token).toBe('fourth');
    expect(logged.attempts[0]!.password).toBe('pw-in-array');
    expect(failure.token).toBe('err-tok');
    expect(logged.a.b.token).toBe('third-level');
  });

  it('replaces email addresses inside message texts', () => {
    const { logger, objects } = capture();
    logger.info('[mail] to=Alice.Smith+x@example.co.uk subject=hello');
    expect(objects()[0]!.msg).toBe('[mail] to=[email] subject=hello');
    expect(scrubText('no address here: a@b, @handle')).toBe('no address here: a@b, @handle');
  });

  it('adds the context of the request or activity, including what was learned later, and nothing outside it', async () => {
    const { logger, objects } = capture();
    await withLogContext({ requestId: 'r-1' }, async () => {
      await Promise.resolve();
      addLogContext({ tenant: 'acme', journeyId: 'j-1' });
      logger.info('inside');
      await withLogContext({ journeyId: 'j-2' }, async () => logger.info('nested'));
    });
    logger.info('outside');
    const [inside, nested, outside] = objects();
    expect(inside).toMatchObject({ requestId: 'r-1', tenant: 'acme', journeyId: 'j-1' });
    expect(nested).toMatchObject({ requestId: 'r-1', tenant: 'acme', journeyId: 'j-2' });
    expect(outside!.requestId).toBeUndefined();
    expect(outside!.tenant).toBeUndefined();
  });

  it('adds the trace and span id of the active span', () => {
    const { logger, objects } = capture();
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
    context.with(trace.setSpan(context.active(), span), () => logger.info('traced'));
    logger.info('untraced');
    expect(objects()[0]).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
    expect(objects()[1]!.traceId).toBeUndefined();
  });

  it('writes from LOG_LEVEL up; an unknown or missing LOG_LEVEL means info', () => {
    const { logger, objects } = capture('warn');
    logger.info('dropped');
    logger.error('kept');
    expect(objects().map((o) => o.msg)).toEqual(['kept']);
    expect(logLevel({ LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(logLevel({ LOG_LEVEL: 'silent' })).toBe('silent');
    expect(logLevel({ LOG_LEVEL: 'verbose' })).toBe('info');
    expect(logLevel({})).toBe('info');
  });
});
