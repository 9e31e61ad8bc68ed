// The lockout workflow's input and signal. The throttle module imports this file (never the
// workflow itself) to start a lockout or extend a running one with signalWithStart.
import { defineSignal } from '@temporalio/workflow';

export interface LockoutInput {
  tenant: string;
  keyHash: string;
  scope: 'account' | 'ip';
  /** Epoch milliseconds when the lock ends. */
  until: number;
}

/** A lock set again while this one runs: the workflow waits for the later end. */
export const extendLockSignal = defineSignal<[number]>('extendLock');

export const LOCKOUT_WORKFLOW = 'lockoutWorkflow';

export function lockoutWorkflowId(tenant: string, keyHash: string): string {
  return `lockout-${tenant}-${keyHash}`;
}
