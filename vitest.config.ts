import { configDefaults, defineConfig } from 'vitest/config';
import { OWN_STORAGE_TESTS } from './test/own-storage-tests.ts';

// One Temporal dev server and one database serve the whole run (test/global-setup.ts). Files run
// one at a time: on two cores, parallel files mostly fight over the same server.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // In each test process, before anything imports oidc-provider, as bin/tessera.js does.
    setupFiles: ['test/setup-provider-context-fix.ts'],
    include: ['test/**/*.test.ts'],
    // .ci/run's second pass: files that ignore the run's database already ran in the first.
    exclude: [...configDefaults.exclude, ...(process.env.SKIP_OWN_STORAGE_TESTS === '1' ? OWN_STORAGE_TESTS : [])],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 60_000,
    // The in-process servers' JSON request lines would drown the report; tests that read logs set their own level.
    env: { LOG_LEVEL: 'warn' },
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
