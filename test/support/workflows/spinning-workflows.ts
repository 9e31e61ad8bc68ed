// Workflows for test/integration/workflow-runtime.test.ts: one whose code never yields (what the
// deadlock guard must stop), one that answers at once (proof the worker still serves), and one
// waiting on a promise (what the `__stack_trace` query would describe).
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const wake = defineSignal('wake');

export async function spinForever(): Promise<never> {
  let spins = 0;
  for (;;) spins++;
}

export async function answerAtOnce(name: string): Promise<string> {
  return `hello ${name}`;
}

export async function waitForWake(): Promise<string> {
  let woken = false;
  setHandler(wake, () => { woken = true; });
  await condition(() => woken);
  return 'woken';
}
