import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeCacheDir } from '../../bin/runtime/code-cache.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TESSERA = join(ROOT, 'bin', 'tessera.js');

describe('codeCacheDir', () => {
  it('is node_modules/.cache/tessera beside the code, another directory by TESSERA_CODE_CACHE, none with 0', () => {
    expect(codeCacheDir({})).toBe(join(ROOT, 'node_modules', '.cache', 'tessera') + '/');
    expect(codeCacheDir({ TESSERA_CODE_CACHE: '/var/cache/tessera' })).toBe('/var/cache/tessera');
    expect(codeCacheDir({ TESSERA_CODE_CACHE: '0' })).toBeUndefined();
  });
});

describe('the compile cache of the tessera command', () => {
  it('spares a second run Node\'s type stripper, and is off with TESSERA_CODE_CACHE=0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-code-cache-'));
    try {
      // Reports, as the process exits, whether Node loaded its TypeScript stripper (amaro).
      const probe = join(dir, 'probe.cjs');
      await writeFile(probe, `process.on('exit', () => require('node:fs').writeSync(2, '\\nstripper:' + process.moduleLoadList.some((m) => m.includes('amaro')) + '\\n'));`);
      const run = (cache: string) => {
        const result = spawnSync(process.execPath, [TESSERA, '--help'], {
          cwd: ROOT, encoding: 'utf8', env: { ...process.env, TESSERA_CODE_CACHE: cache, NODE_OPTIONS: `--require ${probe}`, NODE_COMPILE_CACHE: '' },
        });
        expect(result.status).toBe(0);
        return /stripper:(true|false)/.exec(result.stderr)?.[1];
      };
      const cache = join(dir, 'cache');
      expect(run(cache)).toBe('true');
      expect((await readdir(join(cache, 'compile'))).length).toBeGreaterThan(0);
      expect(run(cache)).toBe('false');
      expect(run('0')).toBe('true');
      expect(run('0')).toBe('true');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
