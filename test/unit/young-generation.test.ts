import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { youngGenerationArgv } from '../../bin/runtime/young-generation.ts';

const base = { execPath: '/node', execArgv: ['--enable-source-maps'], env: {} as Record<string, string | undefined> };

describe('youngGenerationArgv', () => {
  it('adds the cap for start, server and worker, keeping node flags and arguments', () => {
    for (const command of ['start', 'server', 'worker']) {
      expect(youngGenerationArgv({ ...base, argv: ['/node', '/bin/tessera.js', command, '--x'] }))
        .toEqual(['/node', '--enable-source-maps', '--max-semi-space-size=16', '/bin/tessera.js', command, '--x']);
    }
  });

  it('leaves one-shot commands, a flag given on the command line or in NODE_OPTIONS, and 0 alone', () => {
    expect(youngGenerationArgv({ ...base, argv: ['/node', '/t.js', 'users', 'list'] })).toBeUndefined();
    expect(youngGenerationArgv({ ...base, argv: ['/node', '/t.js'] })).toBeUndefined();
    expect(youngGenerationArgv({ ...base, execArgv: ['--max-semi-space-size=8'], argv: ['/node', '/t.js', 'server'] })).toBeUndefined();
    expect(youngGenerationArgv({ ...base, env: { NODE_OPTIONS: '--max-semi-space-size=64' }, argv: ['/node', '/t.js', 'server'] })).toBeUndefined();
    expect(youngGenerationArgv({ ...base, env: { TESSERA_SEMI_SPACE_MB: '0' }, argv: ['/node', '/t.js', 'worker'] })).toBeUndefined();
  });

  it('takes TESSERA_SEMI_SPACE_MB and refuses what is not a size', () => {
    expect(youngGenerationArgv({ ...base, env: { TESSERA_SEMI_SPACE_MB: '32' }, argv: ['/node', '/t.js', 'start'] }))
      .toContain('--max-semi-space-size=32');
    for (const bad of ['-1', '1.5', 'lots', '4096']) {
      expect(() => youngGenerationArgv({ ...base, env: { TESSERA_SEMI_SPACE_MB: bad }, argv: ['/node', '/t.js', 'server'] }))
        .toThrow(/TESSERA_SEMI_SPACE_MB must be a whole number/);
    }
  });
});

describe('capYoungGeneration', () => {
  it('replaces the process with the flag in effect, under the same pid, and runs once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-young-'));
    try {
      const module = fileURLToPath(new URL('../../bin/runtime/young-generation.ts', import.meta.url));
      const script = join(dir, 'probe.mjs');
      // Prints its pid before and after; run as `probe.mjs server` so the cap applies.
      await writeFile(script, `
        const { capYoungGeneration } = await import(${JSON.stringify(module)});
        process.stdout.write(JSON.stringify({ at: 'before', pid: process.pid }) + '\\n');
        capYoungGeneration();
        process.stdout.write(JSON.stringify({ at: 'after', pid: process.pid, execArgv: process.execArgv }) + '\\n');
      `);
      const run = spawnSync(process.execPath, [script, 'server'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      expect(run.status, run.stderr).toBe(0);
      const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { at: string; pid: number; execArgv?: string[] });
      // Before the exec once, then the replaced process prints both lines again (it starts over).
      expect(lines.map((l) => l.at)).toEqual(['before', 'before', 'after']);
      expect(new Set(lines.map((l) => l.pid)).size).toBe(1);
      expect(lines[2]!.execArgv).toContain('--max-semi-space-size=16');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
