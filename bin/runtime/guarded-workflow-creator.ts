// The SDK's reusable-context executor with one execution deadline per activation instead of one
// per call into workflow code (bin/runtime/call-guard.ts says why that is cheaper). The SDK's own
// creator is made with no per-call timeout; every entry into workflow code it offers — creating a
// workflow (initRuntime), an activation (initialize, activate, the unblock loop, conclude, or a
// query) and disposal — runs synchronously up to its first await, so each is wrapped whole in one
// guarded evaluation. Endless workflow code still fails its workflow task with "Script execution
// timed out", and the worker goes on serving other workflows (test/integration/workflow-runtime).
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import type { Workflow, WorkflowCreateOptions } from '@temporalio/worker/lib/workflow/interface.js';
import type { coresdk, temporal } from '@temporalio/proto';
import { runGuarded } from './call-guard.ts';

type Activation = coresdk.workflow_activation.IWorkflowActivation;
type Completion = coresdk.workflow_completion.IWorkflowActivationCompletion;
// The SDK's activator is protected; this is what its own catch uses to report a failed activation.
interface WithActivator { activator: { info: { runId: string }; errorToFailure(err: unknown): temporal.api.failure.v1.IFailure } }

export class GuardedWorkflowCreator extends ReusableVMWorkflowCreator {
  private deadlineMs = 0;

  static async createGuarded(...[bundle, timeoutMs, activityNames]: Parameters<typeof ReusableVMWorkflowCreator.create>): Promise<GuardedWorkflowCreator> {
    // No timeout for the SDK's calls: ours covers them. Loading the bundle (once) is not guarded.
    const creator = await GuardedWorkflowCreator.create(bundle, undefined as unknown as number, activityNames, undefined);
    creator.deadlineMs = timeoutMs;
    return creator;
  }

  override async createWorkflow(options: WorkflowCreateOptions): Promise<Workflow> {
    const workflow = await runGuarded(this.deadlineMs, () => super.createWorkflow(options));
    return guardWorkflow(workflow, this.deadlineMs);
  }
}

function guardWorkflow(workflow: Workflow, deadlineMs: number): Workflow {
  const activate = workflow.activate.bind(workflow);
  const dispose = workflow.dispose.bind(workflow);
  workflow.activate = (activation: Activation): Promise<Completion> => {
    try {
      return runGuarded(deadlineMs, () => activate(activation));
    } catch (err) {
      // Past the deadline V8 unwound the activation without running its catch: answer as it would.
      const { activator } = workflow as unknown as WithActivator;
      return Promise.resolve({ runId: activator.info.runId, failed: { failure: activator.errorToFailure(err) } });
    }
  };
  workflow.dispose = (): Promise<void> => runGuarded(deadlineMs, () => dispose());
  return workflow;
}
