// How far V8 lets the old generation grow past what the last full collection kept, for
// `tessera server`. V8 picks a factor between 1.1 and 4 from how fast it collects against how
// fast the program allocates; a busy server gets a large one and its old generation fills with
// request garbage that only the next full collection frees: after `npm run bench` the server sat
// at 412–419 MiB RSS, ~60 MiB of it live. A fixed 1.5 (--heap-growing-percent=50) ended it at
// 250–256 MiB for ~10–20% more server CPU on the token and SAML routes (README, Performance).
// The worker and the all-in-one `start` keep V8's factor unless TESSERA_HEAP_GROWING_PERCENT is
// set (then it applies to all three; 0 leaves V8's own); a flag already on the command line or in
// NODE_OPTIONS is kept. Like the semi-space size it is read when the isolate is made, so it rides
// the one-time re-exec (process-settings.ts).

const COMMANDS = new Set(['start', 'server', 'worker']);
const SERVER_DEFAULT = 50;
const FLAG = '--heap-growing-percent';

/** The flag to add on re-executing, or undefined when V8 keeps its own growing factor. */
export function heapGrowingFlag(options: {
  execArgv: string[];
  argv: string[];
  env: Record<string, string | undefined>;
}): string | undefined {
  const { execArgv, argv, env } = options;
  const command = argv[2] ?? '';
  if (!COMMANDS.has(command)) return undefined;
  if (execArgv.some((a) => a.startsWith(FLAG)) || (env.NODE_OPTIONS ?? '').includes(FLAG)) return undefined;
  const raw = env.TESSERA_HEAP_GROWING_PERCENT?.trim();
  if (raw === undefined || raw === '') return command === 'server' ? `${FLAG}=${SERVER_DEFAULT}` : undefined;
  const percent = Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 300) {
    throw new Error(`TESSERA_HEAP_GROWING_PERCENT must be a whole number from 0 to 300 (got "${raw}")`);
  }
  return percent === 0 ? undefined : `${FLAG}=${percent}`;
}
