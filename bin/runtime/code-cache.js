// Where Tessera keeps what it derives from its own sources, so that a restart does not derive it
// again: Node's compile cache (each TypeScript file stripped of its types, with V8's code cache)
// and the worker's workflow bundle (workflow-bundle-cache.ts). This file is JavaScript because it
// must run before the first TypeScript file is loaded: with every file found in the cache, Node
// never loads its type stripper, a WebAssembly build of swc that otherwise stays in the process
// for good (measured on Node 24 in a bare process: ~18 MiB of RSS and 4 MiB of heap; the server
// starts 6–8 MiB lower, and starts take about half the CPU with the workflow bundle cached too).
// The directory sits beside the code, in node_modules/.cache/tessera, rather than in a shared
// temporary directory: whoever can write it can already change the code it caches, where a
// world-writable /tmp would let another local user plant code for Tessera to run. Where it cannot
// be written (a read-only install) Tessera runs as without it.
// TESSERA_CODE_CACHE names another directory; 0 turns both caches off.
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The code cache directory, or undefined when TESSERA_CODE_CACHE=0. */
export function codeCacheDir(env = process.env) {
  const value = env.TESSERA_CODE_CACHE;
  if (value === '0') return undefined;
  return value || fileURLToPath(new URL('../../node_modules/.cache/tessera/', import.meta.url));
}

// Node writes what it compiled when the process exits; a long-running process also writes once
// it has started, so that one ended by kill -9 or a crash has still left its modules behind.
const FLUSH_AFTER_MS = 60_000;

/** Turns on Node's compile cache in the code cache directory (when Node has one). */
export function enableCompileCache(env = process.env) {
  const dir = codeCacheDir(env);
  if (!dir || typeof module.enableCompileCache !== 'function') return;
  try {
    module.enableCompileCache(join(dir, 'compile'));
  } catch {
    return; // runs as without it
  }
  setTimeout(() => module.flushCompileCache?.(), FLUSH_AFTER_MS).unref();
}
