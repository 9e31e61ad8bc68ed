// A PGlite served as `tessera start` serves it (core/infra/embedded-db.ts), in a temporary
// DATA_DIR, for the test file that calls this at its top level; stopped and removed after it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedDb, type EmbeddedDb } from '../../core/infra/embedded-db.ts';

/** The running embedded database's URL (with its password), once beforeAll has run. */
export function useEmbeddedDb(prefix: string): () => string {
  let dir: string;
  let embedded: EmbeddedDb | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    embedded = await startEmbeddedDb(dir, false);
  });
  afterAll(async () => {
    await embedded?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!embedded) throw new Error('the embedded database is not running yet');
    return embedded.url;
  };
}
