// The files .ci/run's PGlite pass leaves out (test/own-storage-tests.ts) must truly not use the
// run's database: otherwise that pass would skip a test of the PGlite path. Each of them, and the
// fault helpers they share, must build its storage itself, never through the harness's shared
// database, config, server or worker.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OWN_STORAGE_TESTS } from '../own-storage-tests.ts';

const ROOT = new URL('../../', import.meta.url);
/** What test/support/harness.ts and stack.ts offer that is the run's database, or a part on it. */
const SHARED_HELPERS = new Set(['testDb', 'testConfig', 'testClient', 'startServer', 'startWorker', 'useStack']);
const SHARED_VALUES = /inject\('(databaseUrl|embeddedDb|temporalAddress)'\)/;

function uses(path: string): string[] {
  const source = readFileSync(new URL(path, ROOT), 'utf8');
  const imported = [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'[^']*\/(?:harness|stack)\.ts'/g)]
    .flatMap((m) => m[1]!.split(',').map((name) => name.trim().replace(/^type\s+/, '')));
  return [...imported.filter((name) => SHARED_HELPERS.has(name)), ...(SHARED_VALUES.exec(source) ?? []).slice(0, 1)];
}

describe('tests with storage of their own', () => {
  it.each([...OWN_STORAGE_TESTS, 'test/support/fault-stack.ts', 'test/support/fault-journeys.ts'])('%s does not use the run\'s database', (path) => {
    expect(uses(path)).toEqual([]);
  });

  it('would notice a file that does', () => {
    expect(uses('test/fault/worker-crash.test.ts').length).toBeGreaterThan(0);
    expect(uses('test/fault/registration-restart.test.ts').length).toBeGreaterThan(0);
  });
});
