// Run by embedded-db-setup.ts as a process of its own: creates the embedded database under the
// DATA_DIR given as the only argument (initdb), applies the migrations, and exits.
import { openDb } from './db.ts';
import { startEmbeddedDb } from './embedded-db.ts';
import { migrate } from './migrate.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: embedded-db-setup-child.ts <DATA_DIR>');
const embedded = await startEmbeddedDb(dataDir, false, { setUpInChild: false });
const db = openDb(embedded.url, { embedded: true, max: 1 });
try {
  await migrate(db);
} finally {
  await db.end({ timeout: 5 });
  await embedded.stop();
}
