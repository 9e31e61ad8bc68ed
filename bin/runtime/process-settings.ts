// Settings that only take effect when a process starts: V8's young-generation size and
// old-generation growing factor (V8 flags, read when the isolate is made) and glibc's allocator
// variables (read when libc initialises).
// The long-running commands replace themselves once, first thing, with them in effect
// (process.execve, Node >= 23.11: same pid, same stdio, nothing has started yet). The replaced
// process finds them already set and runs on, so there is never a second exec.
import { heapGrowingFlag } from './heap-growing.ts';
import { mallocEnvAdditions } from './malloc-settings.ts';
import { youngGenerationFlag } from './young-generation.ts';

export interface ProcessStart {
  execPath: string;
  execArgv: string[];
  argv: string[];
  env: Record<string, string | undefined>;
  platform: string;
}

/** The argv and environment to re-execute with, or undefined when this process runs as it is. */
export function processSettingsExec(start: ProcessStart): { argv: string[]; env: Record<string, string | undefined> } | undefined {
  const v8Flags = [youngGenerationFlag(start), heapGrowingFlag(start)].filter((f): f is string => f !== undefined);
  const mallocEnv = mallocEnvAdditions(start);
  if (v8Flags.length === 0 && !mallocEnv) return undefined;
  return {
    argv: [start.execPath, ...start.execArgv, ...v8Flags, ...start.argv.slice(1)],
    env: { ...start.env, ...mallocEnv },
  };
}

/** Re-executes this process with the start-time settings, when any applies and Node can. */
export function applyProcessSettings(): void {
  const next = processSettingsExec({
    execPath: process.execPath, execArgv: process.execArgv, argv: process.argv, env: process.env, platform: process.platform,
  });
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (!next || typeof execve !== 'function') return;
  try {
    execve.call(process, process.execPath, next.argv, next.env as NodeJS.ProcessEnv);
  } catch {
    // Could not replace the process (an unusual platform or policy): run with the defaults.
  }
}
