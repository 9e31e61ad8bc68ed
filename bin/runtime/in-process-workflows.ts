// Where the worker runs journey code. The SDK's default runs it in a worker thread and, in that
// thread, installs a V8 promise hook that captures a source-mapped stack trace for every promise
// workflow code creates, only so that the `__stack_trace` query (the Temporal UI's "Stack Trace"
// tab of a running workflow) can answer. That hook cannot be switched off inside the SDK's thread.
//
// `in-process` (the default) runs journey code in the worker's main thread with the SDK's own
// reusable-context executor (the one its debug mode uses) and removes the promise hook. The
// deadlock guard stays: each activation's calls into workflow code run under the isolate
// execution timeout (5 s) as one (bin/runtime/guarded-workflow-creator.ts), so endless workflow
// code fails its workflow task instead of freezing the worker
// (test/integration/workflow-runtime.test.ts). Measured on the password + TOTP login (README,
// performance): the worker's CPU per login drops by about a third, and its memory by the
// workflow thread's own V8 heap. What is lost: the `__stack_trace` query answers "stack traces
// are not enabled"; errors thrown by workflow code keep their source-mapped stacks, and
// history, replay and the journey timeline are unchanged. `threaded` restores the SDK's default.
import { Worker } from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared.js';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface.js';
import type { WorkflowRuntime } from '../../core/infra/workflow-runtime.ts';
import { GuardedWorkflowCreator } from './guarded-workflow-creator.ts';

// The SDK keeps these two members private; they are what its own uninstall() touches.
interface HookSwitch { stopPromiseHook(): void; promiseHookInstalled: boolean }

/** install() (idempotent, run by every creator) has put the promise hook in place: take it away. */
function removePromiseHook(): void {
  const handlers = globalHandlers as unknown as HookSwitch;
  handlers.stopPromiseHook();
  // Read by every workflow the creator makes: they answer `__stack_trace` with a clear error.
  handlers.promiseHookInstalled = false;
}

type CreatorArgs = Parameters<typeof Worker['createWorkflowCreator']>;

/** The SDK's Worker with the journey code running where TESSERA_WORKFLOW_RUNTIME says. */
export function workerClass(runtime: WorkflowRuntime): typeof Worker {
  if (runtime === 'threaded') return Worker;
  return class InProcessWorker extends Worker {
    protected static override async createWorkflowCreator(bundle: CreatorArgs[0], compiled: CreatorArgs[1], logger: Logger): Promise<WorkflowCreator> {
      // A patch-activation callback only exists on the SDK's own path; Tessera sets none.
      if (compiled.patchActivationCallback !== undefined) return super.createWorkflowCreator(bundle, compiled, logger);
      const creator = await GuardedWorkflowCreator.createGuarded(bundle, compiled.isolateExecutionTimeoutMs, new Set(compiled.activities.keys()));
      removePromiseHook();
      return creator;
    }
  };
}
