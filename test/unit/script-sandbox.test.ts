// Sandbox-escape tests for the script module's QuickJS sandbox: nothing of the host is reachable,
// loops and memory bombs (also ones stuck in native code) stop within their limits, failures are
// results (never exceptions), and the pool stays healthy with every runtime disposed.
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox, runScript, sandboxStats } from '../../core/journeys/script-sandbox.ts';
import { scriptModule } from '../../activities/modules/script.ts';

const context = { user: { id: 'u1', username: 'alice', status: 'active', totp: true }, request: { ip: '192.0.2.1', userAgent: 'test' }, outcomes: [{ node: 'password', outcome: 'ok' }], tenant: 'acme' };
const MB = 1024 * 1024;
// A generous default limit: on a loaded machine, tests about capabilities must not fail on time.
const run = (source: string, limits: { timeoutMs?: number; memoryMb?: number } = {}) => runScript({ source, context, timeoutMs: 1000, ...limits });

afterAll(closeSandbox);

describe('script sandbox', () => {
  it('runs a valid script and returns its outcome', async () => {
    expect(await run("return user.totp ? 'yes' : 'no'")).toEqual({ ok: true, value: 'yes' });
    expect(await run("return outcomes.at(-1).outcome + ':' + tenant + ':' + request.ip + ':' + context.user.username")).toEqual({ ok: true, value: 'ok:acme:192.0.2.1:alice' });
  });

  it('offers nothing of the host: no process, require, fetch, timers, modules or Node realm', async () => {
    const probe = `
      const realm = (function () {}).constructor.constructor('return this')();
      const fromCtx = context.constructor.constructor('return this')();
      const names = ['process', 'require', 'module', 'fetch', 'setTimeout', 'setInterval', 'queueMicrotask', 'Buffer',
        'global', 'std', 'os', 'WebAssembly', 'XMLHttpRequest', 'importScripts', '__dirname'];
      const found = names.filter((n) => typeof realm[n] !== 'undefined' || typeof fromCtx[n] !== 'undefined' || typeof globalThis[n] !== 'undefined');
      return JSON.stringify({ found, sameRealm: realm === globalThis && fromCtx === globalThis, self: typeof this });`;
    const result = await run(probe);
    expect(result.ok).toBe(true);
    expect(JSON.parse((result as { value: string }).value)).toEqual({ found: [], sameRealm: true, self: 'undefined' });
    expect(await run("require('fs'); return 'yes'")).toMatchObject({ ok: false, reason: 'error', message: expect.stringContaining('ReferenceError') });
    expect(await run("process.exit(1); return 'yes'")).toMatchObject({ ok: false, reason: 'error' });
    expect(await run("return import('node:fs')")).toMatchObject({ ok: false, reason: 'invalid_result' });
    const leaked = await run("return typeof Error.prepareStackTrace + typeof Error.captureStackTrace");
    expect(leaked).toEqual({ ok: true, value: 'undefinedundefined' });
  });

  it('keeps the context frozen and the script strict', async () => {
    expect(await run("context.user.totp = false; return 'yes'")).toMatchObject({ ok: false, reason: 'error', message: expect.stringContaining('TypeError') });
    expect(await run("outcomes.push({}); return 'yes'")).toMatchObject({ ok: false, reason: 'error' });
    expect(await run("undeclared = 1; return 'yes'")).toMatchObject({ ok: false, reason: 'error', message: expect.stringContaining('ReferenceError') });
  });

  it('cannot break out of its function body', async () => {
    expect(await run("}); return 'yes'; (function () {")).toMatchObject({ ok: false, reason: 'error', message: expect.stringContaining('SyntaxError') });
    expect(await run("return 'yes' } { return 'no'")).toMatchObject({ ok: false, reason: 'error' });
  });

  it('stops an infinite loop within the time limit', async () => {
    const started = Date.now();
    expect(await run('while (true) {}', { timeoutMs: 50 })).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await run('for (;;) { try { while (true) {} } catch (e) {} }', { timeoutMs: 50 })).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('stops native code that never checks the clock, by replacing its thread', async () => {
    const started = Date.now();
    expect(await run("const a = []; a.length = 2 ** 31; a.indexOf(1); return 'yes'", { timeoutMs: 50 })).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await run("return 'yes'")).toEqual({ ok: true, value: 'yes' });
  });

  it('stops memory bombs at the memory limit', async () => {
    expect(await run("return 'x'.repeat(2 ** 27)", { memoryMb: 16 })).toMatchObject({ ok: false, reason: 'memory' });
    expect(await run('const a = []; for (;;) a.push(new Array(100000).fill(1))', { memoryMb: 8, timeoutMs: 1000 })).toMatchObject({ ok: false, reason: 'memory' });
    // Many small allocations are held to QuickJS's 16 MB base plus the limit, not a page more.
    expect(sandboxStats().wasmBytes).toBeLessThanOrEqual((16 + 8) * MB);
    expect(await run("const a = []; for (;;) a.push('x'.repeat(10000) + a.length)", { memoryMb: 4, timeoutMs: 1000 })).toMatchObject({ ok: false, reason: 'memory' });
    expect(sandboxStats().wasmBytes).toBeLessThanOrEqual((16 + 4) * MB);
    expect(await run("const a = new Array(200000).fill('x'); return 'yes'", { memoryMb: 1 })).toMatchObject({ ok: false, reason: 'memory' });
  });

  it('turns deep recursion into an error, not a crash', async () => {
    expect(await run('function f() { return f() + 1 } return f()')).toMatchObject({ ok: false, reason: 'error', message: expect.stringContaining('stack overflow') });
  });

  it('reports throwing and non-string results as failures', async () => {
    expect(await run("throw new Error('boom')")).toEqual({ ok: false, reason: 'error', message: 'Error: boom' });
    expect(await run('throw 42')).toMatchObject({ ok: false, reason: 'error' });
    expect(await run('throw { get message() { while (true) {} } }')).toMatchObject({ ok: false });
    for (const value of ['42', '{}', 'null', 'undefined', "['yes']", "({ toString() { return 'yes' } })"]) {
      expect(await run(`return ${value}`)).toMatchObject({ ok: false, reason: 'invalid_result' });
    }
    expect(await run("return 'y'.repeat(200)")).toMatchObject({ ok: false, reason: 'invalid_result' });
    expect(await run('x'.repeat(10 * 1024 + 1))).toMatchObject({ ok: false, reason: 'error', message: expect.stringContaining('longer') });
  });

  it('stays healthy over many evaluations, good and bad, with every runtime disposed', async () => {
    const sources = ["return 'yes'", 'throw 1', "return 'x'.repeat(2 ** 27)", 'return 1', 'while (true) {}'];
    // Only the endless loop gets the short limit: on a loaded machine a 20 ms limit can also catch a
    // script that merely waited for its thread, which is not what this test is about.
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => {
      const source = sources[i % sources.length]!;
      return run(source, { timeoutMs: source.startsWith('while') ? 20 : 1000 });
    }));
    expect(results.filter((r) => r.ok)).toHaveLength(30);
    await Promise.all(Array.from({ length: 50 }, () => run('const a = []; for (;;) a.push(new Array(100000).fill(1))', { memoryMb: 4, timeoutMs: 1000 })));
    const after = sandboxStats();
    expect(after.liveRuntimes).toBe(0);
    expect(after.threads).toBeGreaterThan(0);
    expect(after.threads).toBeLessThanOrEqual(2);
    expect(after.wasmBytes).toBeLessThanOrEqual(after.threads * (16 + 4) * MB);
    expect(await run("return 'still-fine'")).toEqual({ ok: true, value: 'still-fine' });
  });
});

describe('script module config', () => {
  it('defaults to yes/no plus the error outcome, and bounds source, time and memory', () => {
    const parsed = scriptModule.config.parse({ source: "return 'yes'" });
    expect(parsed).toEqual({ source: "return 'yes'", outcomes: ['yes', 'no'], timeoutMs: 100, memoryMb: 16 });
    expect((scriptModule.outcomes as (c: typeof parsed) => string[])(parsed)).toEqual(['yes', 'no', 'error']);
    for (const bad of [
      { source: '' }, { source: 'x'.repeat(10 * 1024 + 1) }, { source: 'x', timeoutMs: 1001 }, { source: 'x', memoryMb: 65 },
      { source: 'x', outcomes: ['error'] }, { source: 'x', outcomes: ['a', 'a'] }, { source: 'x', outcomes: [] }, { source: 'x', outcomes: ['Bad Name'] },
      { source: 'x', extra: true },
    ]) expect(scriptModule.config.safeParse(bad).success).toBe(false);
  });
});
