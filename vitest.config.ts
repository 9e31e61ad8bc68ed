import { defineConfig } from 'vitest/config';

// One Temporal dev server and one database serve the whole run (test/global-setup.ts). Files run
// one at a time: on two cores, parallel files mostly fight over the same server.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 60_000,
    // The in-process servers' JSON request lines would drown the report; tests that read logs set their own level.
    env: { LOG_LEVEL: 'warn' },
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
