// One execution deadline over a run of synchronous calls into workflow code. Node implements a
// `vm` timeout by starting a watchdog thread for the call and joining it afterwards (~0.13 ms of
// CPU each on the 2-core machine, measured with 20,000 calls); the SDK passes its timeout on every
// call, about 4 per workflow activation. Running the whole activation inside ONE timed evaluation
// of a tiny guard context keeps the same protection with one thread per activation: calls into the
// workflow's own context made from inside are nested evaluations, and when the deadline passes V8
// terminates everything up to the guard's evaluation, which turns it into the usual
// "Script execution timed out after N ms" error.
import vm from 'node:vm';

interface GuardGlobals { task: (() => unknown) | undefined }

const globals: GuardGlobals = { task: undefined };
const context = vm.createContext(globals);
const runTask = new vm.Script('task()', { filename: 'tessera:workflow-call-guard' });

/** Runs `task` synchronously; throws "Script execution timed out after `timeoutMs`ms" if it runs longer. */
export function runGuarded<T>(timeoutMs: number, task: () => T): T {
  // Read once by the script before anything else runs, so a nested guarded call cannot swap it.
  globals.task = task;
  try {
    return runTask.runInContext(context, { timeout: timeoutMs, displayErrors: false }) as T;
  } finally {
    globals.task = undefined;
  }
}
