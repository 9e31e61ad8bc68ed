// The young generation of the long-running processes (`tessera start`, `server`, `worker`).
// On a machine with much memory V8 lets each of its two semi-spaces grow to 64 MiB, and a busy
// server or worker keeps them there: after `npm run bench` the server sat at ~600 MiB RSS of which
// ~100 MiB were semi-spaces holding nothing but short-lived request garbage. 16 MiB each took the
// server's RSS at the end of the bench from 610 / 588 to 457 / 469 MiB and the worker's from
// 330 / 333 to 296 / 324 with no CPU cost measurable on the 2-core machine (README, Performance).
// V8 reads --max-semi-space-size only when the isolate is made (the command line or NODE_OPTIONS),
// so the process replaces itself once with the flag added (process-settings.ts).
// TESSERA_SEMI_SPACE_MB sets the size, 0 leaves V8's own; a flag already given on the command
// line or in NODE_OPTIONS is kept.

const COMMANDS = new Set(['start', 'server', 'worker']);
const DEFAULT_MB = 16;
const FLAG = '--max-semi-space-size';

/** The flag to add on re-executing, or undefined when the young generation is left as it is. */
export function youngGenerationFlag(options: {
  execArgv: string[];
  argv: string[];
  env: Record<string, string | undefined>;
}): string | undefined {
  const { execArgv, argv, env } = options;
  if (!COMMANDS.has(argv[2] ?? '')) return undefined;
  if (execArgv.some((a) => a.startsWith(FLAG)) || (env.NODE_OPTIONS ?? '').includes(FLAG)) return undefined;
  const raw = env.TESSERA_SEMI_SPACE_MB?.trim();
  const mb = raw === undefined || raw === '' ? DEFAULT_MB : Number(raw);
  if (!Number.isInteger(mb) || mb < 0 || mb > 1024) {
    throw new Error(`TESSERA_SEMI_SPACE_MB must be a whole number of MiB from 0 to 1024 (got "${raw}")`);
  }
  return mb === 0 ? undefined : `${FLAG}=${mb}`;
}
