// The worker's workflow bundle, kept on disk between starts. Bundling runs webpack over the
// workflow sources on every start: measured, 2.3–3.3 s of CPU, and 15 s later the process still
// held ~85 MiB more RSS and ~20 MiB more live heap (webpack's own modules and what they keep) than
// one that loaded the same bundle from disk; in the bench the worker starts ~115 MiB lower and
// ends ~80 MiB lower with it (README, "The workflow bundle and Node's compile cache"). Rules:
// - the cache records every file webpack read (with its SHA-256) and every path it probed and did
//   not find; a start re-hashes those files and re-checks those paths, and any difference (an
//   edited workflow, an upgraded @temporalio/workflow, a new file where resolution looked) means
//   the bundle is built again, so the code that runs is always what the sources say now;
// - the key also holds the versions of the bundler and what it runs (webpack, swc) and the bundle
//   options, which decide the output as much as the files do;
// - a bundle whose inputs cannot all be accounted for (a directory webpack watched, a file it read
//   that is gone or was modified after the build began) is used but not written;
// - the file is written whole (a temporary file renamed over it), so a reader sees the old bundle
//   or the new one; failing to read or write it only costs the build.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { access, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { logger } from '../../core/infra/logger.ts';

/** The options that decide the bundle's content (functions cannot be part of a key). */
export type CacheableBundleOptions = Omit<BundleOptions, 'webpackConfigHook' | 'plugins' | 'logger'> & Pick<BundleOptions, 'logger'>;

export interface CachedBundleResult { code: string; source: 'cache' | 'built' }

interface CacheFile {
  format: 1;
  key: string;
  /** Every file (and directory) webpack read, by absolute path, with the SHA-256 of its content. */
  files: Record<string, string>;
  /** Every path webpack's resolver looked for and did not find. */
  missing: string[];
  code: string;
}

/** What webpack reports it depended on, read from its compilation when it is done. */
interface Inputs { files: string[]; missing: string[]; contexts: string[] }

// Only the parts of webpack's compiler this module touches (webpack's types are the SDK's).
interface CompilationLike { fileDependencies: Iterable<string>; missingDependencies: Iterable<string>; contextDependencies: Iterable<string> }
interface CompilerLike { hooks: { done: { tap(name: string, fn: (stats: { compilation: CompilationLike }) => void): void } } }

// The packages that turn the sources into the bundle: the SDK's bundler and what it runs.
const BUNDLER_PACKAGES = ['@temporalio/worker', 'webpack', 'swc-loader', '@swc/core'];

/** `name`'s version, from the package.json above the file `resolve` finds for it. */
function packageVersion(name: string, resolve: (id: string) => string): string {
  let dir = dirname(resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '';
    } catch {
      // no package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return '';
    dir = parent;
  }
}

/** The versions of the bundler's packages, part of the cache key. */
export function bundlerVersions(): Record<string, string> {
  const fromHere = createRequire(import.meta.url);
  const fromBundler = createRequire(fromHere.resolve('@temporalio/worker'));
  return Object.fromEntries(BUNDLER_PACKAGES.map((name) => [name, packageVersion(name, (id) => fromBundler.resolve(id))]));
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function cacheKey(options: CacheableBundleOptions): string {
  const { logger: _logger, ...decisive } = options;
  return sha256(JSON.stringify({ bundler: bundlerVersions(), options: decisive }));
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

// webpack's resolver also lists the directories it stepped through (the workflows' folder, its
// parents, node_modules): what it used of them is that they are directories, and every file it
// looked for in them and did not find is among the missing paths.
const DIRECTORY = 'directory';

/** A file's SHA-256, or DIRECTORY for a directory. */
async function contentHash(path: string): Promise<string> {
  const info = await stat(path);
  return info.isDirectory() ? DIRECTORY : sha256(await readFile(path));
}

/** The cached code, when the cache file is for these options and every input is as recorded. */
async function readFresh(file: string, key: string): Promise<string | undefined> {
  let cached: CacheFile;
  try {
    cached = JSON.parse(await readFile(file, 'utf8')) as CacheFile;
  } catch {
    return undefined;
  }
  if (cached.format !== 1 || cached.key !== key || typeof cached.code !== 'string') return undefined;
  for (const [path, hash] of Object.entries(cached.files)) {
    let now: string;
    try {
      now = await contentHash(path);
    } catch {
      return undefined;
    }
    if (now !== hash) return undefined;
  }
  for (const path of cached.missing) if (await exists(path)) return undefined;
  return cached.code;
}

// The SDK's bundler writes the bundle's entry module into an in-memory file system beside the
// workflows, from the options alone (which the key holds): it is an input with nothing on disk.
const GENERATED_ENTRYPOINT = /-autogenerated-entrypoint\.cjs$/;

/** The hashes of `paths`, unless one cannot be read or changed after `since` (ms since the epoch). */
async function hashFiles(paths: string[], since: number): Promise<Record<string, string> | undefined> {
  const files: Record<string, string> = {};
  for (const path of paths) {
    try {
      const info = await stat(path);
      // Edited while webpack ran: the hash might not be of what was bundled.
      if (!info.isDirectory() && info.mtimeMs >= since) return undefined;
      files[path] = info.isDirectory() ? DIRECTORY : sha256(await readFile(path));
    } catch {
      if (!GENERATED_ENTRYPOINT.test(path)) return undefined;
    }
  }
  return files;
}

async function writeCache(file: string, entry: CacheFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(entry));
  await rename(temporary, file);
}

/** Bundles the workflow code, or reuses the bundle in `cacheFile` when its inputs are unchanged. */
export async function cachedWorkflowBundle(options: CacheableBundleOptions, cacheFile: string | undefined): Promise<CachedBundleResult> {
  const key = cacheFile ? cacheKey(options) : '';
  if (cacheFile) {
    const code = await readFresh(cacheFile, key);
    if (code !== undefined) return { code, source: 'cache' };
  }
  let inputs: Inputs | undefined;
  const recorder = {
    apply(compiler: CompilerLike) {
      compiler.hooks.done.tap('tessera-bundle-inputs', ({ compilation }) => {
        inputs = {
          files: [...compilation.fileDependencies],
          missing: [...compilation.missingDependencies],
          contexts: [...compilation.contextDependencies],
        };
      });
    },
  };
  const started = Date.now();
  const { code } = await bundleWorkflowCode({
    ...options,
    webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), recorder] }),
  });
  if (cacheFile && inputs && inputs.contexts.length === 0) {
    const files = await hashFiles(inputs.files, started);
    if (files) {
      try {
        await writeCache(cacheFile, { format: 1, key, files, missing: inputs.missing, code });
      } catch (err) {
        logger.warn(`workflow bundle not cached in ${cacheFile}: ${(err as Error).message}`);
      }
    }
  }
  return { code, source: 'built' };
}
