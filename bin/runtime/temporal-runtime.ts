// The SDK's process-wide runtime, installed once before any worker: warnings and errors only,
// so a running Tessera logs what needs attention rather than every state change.
import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

export function installTemporalRuntime(): void {
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}
