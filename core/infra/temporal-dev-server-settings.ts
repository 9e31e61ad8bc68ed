// How the embedded Temporal dev server (`temporal server start-dev` on DATA_DIR/temporal.db) keeps
// its SQLite file. `tessera start` uses these arguments, and so do the bench and the fault tests'
// dev server, so what they measure and kill is what ships.
// WAL mode with synchronous=NORMAL: the CLI's default is SQLite's rollback journal with
// synchronous=FULL, where every transaction creates, syncs and deletes a journal file and syncs the
// database — several per journey step; measured, the dev server spent 98–108 ms of CPU per
// password + TOTP login that way against 63–65 ms in WAL mode (README, "Temporal's SQLite file").
// In WAL mode a commit appends to the log, and NORMAL syncs the log at checkpoints only. A dev
// server killed with -9 or by the OOM killer loses nothing it committed (the log's pages are the
// kernel's already); a power cut can take back the commits since the last checkpoint, never
// leaving the file inconsistent — a journey then answers as it did a step earlier.
// The history service's workflow cache is left at the dev server's size on purpose: evicting a
// workflow that has an update in flight aborts that update, and with a cache of 64 most logins at
// 32 concurrent users failed so (56 of 75 in the bench's run).

/** `temporal server start-dev` arguments for its SQLite file. */
export function devServerStorageArgs(): string[] {
  return ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];
}
