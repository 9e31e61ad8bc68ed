// glibc's allocator settings for the long-running processes (`tessera start`, `server`, `worker`).
// Each thread that allocates while another holds the main arena gets an arena of its own, up to
// 8 per core, and keeps the memory freed into it: the worker runs libuv's pool, V8's helper
// threads and the Temporal core's Rust threads, so after `npm run bench` it held 304–323 MiB RSS.
// Two arenas and a fixed 128 KiB mmap threshold (glibc otherwise raises it up to 32 MiB after a
// large block is freed, so later large blocks come from arenas and stay there) took it to
// 264–278 MiB, the server unchanged and CPU within noise (README, Performance). glibc reads these
// variables once, when the process starts, so they take effect through the same one-time re-exec
// as the young-generation cap (process-settings.ts). A variable already set is the operator's and
// is kept; TESSERA_MALLOC_TUNING=0 adds none. Other C libraries ignore them.

const COMMANDS = new Set(['start', 'server', 'worker']);
export const MALLOC_DEFAULTS: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
};

/** The variables to add to the environment, or undefined when there are none to add. */
export function mallocEnvAdditions(options: {
  argv: string[];
  env: Record<string, string | undefined>;
  platform: string;
}): Record<string, string> | undefined {
  const { argv, env, platform } = options;
  if (platform !== 'linux' || !COMMANDS.has(argv[2] ?? '')) return undefined;
  const switchValue = env.TESSERA_MALLOC_TUNING?.trim();
  if (switchValue !== undefined && switchValue !== '' && switchValue !== '0' && switchValue !== '1') {
    throw new Error(`TESSERA_MALLOC_TUNING must be 1 or 0 (got "${switchValue}")`);
  }
  if (switchValue === '0') return undefined;
  const additions = Object.fromEntries(Object.entries(MALLOC_DEFAULTS).filter(([name]) => env[name] === undefined));
  return Object.keys(additions).length > 0 ? additions : undefined;
}
