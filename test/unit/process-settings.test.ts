import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mallocEnvAdditions } from '../../bin/runtime/malloc-settings.ts';
import { processSettingsExec } from '../../bin/runtime/process-settings.ts';

const start = { execPath: '/node', execArgv: ['--enable-source-maps'], env: { HOME: '/h' } as Record<string, string | undefined>, platform: 'linux' };
const serverArgv = ['/node', '/bin/tessera.js', 'server'];

describe('mallocEnvAdditions', () => {
  it('bounds the arenas and fixes the mmap threshold for start, server and worker on Linux', () => {
    for (const command of ['start', 'server', 'worker']) {
      expect(mallocEnvAdditions({ ...start, argv: ['/node', '/t.js', command] }))
        .toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' });
    }
  });

  it('adds nothing for one-shot commands, other platforms, TESSERA_MALLOC_TUNING=0 or what the operator set', () => {
    expect(mallocEnvAdditions({ ...start, argv: ['/node', '/t.js', 'users', 'list'] })).toBeUndefined();
    expect(mallocEnvAdditions({ ...start, platform: 'darwin', argv: serverArgv })).toBeUndefined();
    expect(mallocEnvAdditions({ ...start, env: { TESSERA_MALLOC_TUNING: '0' }, argv: serverArgv })).toBeUndefined();
    expect(mallocEnvAdditions({ ...start, env: { MALLOC_ARENA_MAX: '8' }, argv: serverArgv })).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(mallocEnvAdditions({ ...start, env: { MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '0' }, argv: serverArgv })).toBeUndefined();
    expect(() => mallocEnvAdditions({ ...start, env: { TESSERA_MALLOC_TUNING: 'yes' }, argv: serverArgv })).toThrow(/TESSERA_MALLOC_TUNING must be 1 or 0/);
  });
});

describe('processSettingsExec', () => {
  it('re-executes with both the flag and the variables, keeping the environment', () => {
    expect(processSettingsExec({ ...start, argv: [...serverArgv, '--x'] })).toEqual({
      argv: ['/node', '--enable-source-maps', '--max-semi-space-size=16', '--heap-growing-percent=50', '/bin/tessera.js', 'server', '--x'],
      env: { HOME: '/h', MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' },
    });
  });

  it('re-executes for any one alone, and not at all when all are in effect', () => {
    expect(processSettingsExec({ ...start, env: { TESSERA_SEMI_SPACE_MB: '0', TESSERA_HEAP_GROWING_PERCENT: '0' }, argv: serverArgv })?.argv)
      .toEqual(['/node', '--enable-source-maps', '/bin/tessera.js', 'server']);
    expect(processSettingsExec({ ...start, env: { TESSERA_SEMI_SPACE_MB: '0', TESSERA_MALLOC_TUNING: '0' }, argv: serverArgv })?.argv)
      .toEqual(['/node', '--enable-source-maps', '--heap-growing-percent=50', '/bin/tessera.js', 'server']);
    expect(processSettingsExec({ ...start, env: { TESSERA_MALLOC_TUNING: '0' }, argv: serverArgv })?.env)
      .toEqual({ TESSERA_MALLOC_TUNING: '0' });
    const settled = { ...start, execArgv: ['--max-semi-space-size=16', '--heap-growing-percent=50'], env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' } };
    expect(processSettingsExec({ ...settled, argv: serverArgv })).toBeUndefined();
    expect(processSettingsExec({ ...start, argv: ['/node', '/t.js', 'migrate'] })).toBeUndefined();
  });
});

describe('applyProcessSettings', () => {
  it('replaces the process once, under the same pid, with the flags and the variables in effect', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-settings-'));
    try {
      const module = fileURLToPath(new URL('../../bin/runtime/process-settings.ts', import.meta.url));
      const script = join(dir, 'probe.mjs');
      // Prints its pid before and after; run as `probe.mjs server` so both settings apply.
      await writeFile(script, `
        const { applyProcessSettings } = await import(${JSON.stringify(module)});
        process.stdout.write(JSON.stringify({ at: 'before', pid: process.pid }) + '\\n');
        applyProcessSettings();
        process.stdout.write(JSON.stringify({ at: 'after', pid: process.pid, execArgv: process.execArgv,
          arenas: process.env.MALLOC_ARENA_MAX, mmap: process.env.MALLOC_MMAP_THRESHOLD_ }) + '\\n');
      `);
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
      for (const name of ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'TESSERA_MALLOC_TUNING', 'TESSERA_SEMI_SPACE_MB', 'TESSERA_HEAP_GROWING_PERCENT']) delete env[name];
      const run = spawnSync(process.execPath, [script, 'server'], { encoding: 'utf8', env });
      expect(run.status, run.stderr).toBe(0);
      const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { at: string; pid: number; execArgv?: string[]; arenas?: string; mmap?: string });
      // Before the exec once, then the replaced process prints both lines again (it starts over).
      expect(lines.map((l) => l.at)).toEqual(['before', 'before', 'after']);
      expect(new Set(lines.map((l) => l.pid)).size).toBe(1);
      expect(lines[2]!.execArgv).toEqual(expect.arrayContaining(['--max-semi-space-size=16', '--heap-growing-percent=50']));
      if (process.platform === 'linux') expect([lines[2]!.arenas, lines[2]!.mmap]).toEqual(['2', '131072']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
