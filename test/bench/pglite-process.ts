// The benchmark's embedded database in a process of its own, so that its CPU is measured apart
// from the load generator's: serves PGlite from the folder given as the first argument, writes
// one JSON line {"url": …} (with the password) to stdout when ready, stops on SIGTERM.
import { startEmbeddedDb } from '../../core/infra/embedded-db.ts';

const db = await startEmbeddedDb(process.argv[2]!, false);
process.stdout.write(`${JSON.stringify({ url: db.url })}\n`);
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void db.stop().finally(() => process.exit(0));
});
