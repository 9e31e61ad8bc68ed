// TESSERA_WORKFLOW_RUNTIME: where the worker runs journey code (bin/runtime/in-process-workflows.ts
// says why and what each choice costs). Parsed here so that configuration never loads the SDK.
export type WorkflowRuntime = 'in-process' | 'threaded';

/** @throws Error naming the variable when it is neither value. */
export function workflowRuntime(value: string | undefined): WorkflowRuntime {
  if (value === undefined || value.trim() === '') return 'in-process';
  if (value === 'in-process' || value === 'threaded') return value;
  throw new Error(`TESSERA_WORKFLOW_RUNTIME must be "in-process" or "threaded", got "${value}"`);
}
