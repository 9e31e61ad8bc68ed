// Test files that bring their own storage and never use the run's database (DATABASE_URL, or the
// PGlite the global setup serves when it is unset): a PostgreSQL cluster of their own
// (test/support/fault-stack.ts) or the PGlite inside a `tessera start` they spawn (whose
// environment drops DATABASE_URL). `.ci/run` runs the suite once per database; these files would
// run the same way twice, minutes each, so its second pass leaves them out
// (SKIP_OWN_STORAGE_TESTS=1, vitest.config.ts). test/unit/own-storage-tests.test.ts checks that
// none of them reaches the run's database.
export const OWN_STORAGE_TESTS = [
  'test/fault/all-in-one-restart.test.ts',
  'test/fault/cluster-faults.test.ts',
  'test/fault/database-restart.test.ts',
  'test/fault/mail-during-crash.test.ts',
  'test/fault/worker-down-answers.test.ts',
];
