// The QuickJS side of core/journeys/script-sandbox.ts, run in a worker thread so that the main thread can
// kill it. Each job gets its own WebAssembly instance of QuickJS (the module is compiled once)
// with a capped WebAssembly.Memory — the one memory limit that holds: QuickJS's own accounting
// does not see most allocations in this build — and a fresh runtime and context in it, with a
// stack limit and an interrupt deadline, all dropped after the job whatever happens. The script
// sees nothing but its frozen JSON context: no host function is ever installed.
import { parentPort } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, shouldInterruptAfterDeadline, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten';
import type { SandboxJob, SandboxReply, SandboxResult } from './script-sandbox.ts';

/** The QuickJS build's fixed base memory (its static data, stack and first heap): 16 MB. */
const BASE_PAGES = 256;
const PAGE = 65536;
/** QuickJS's own stack guard, well inside the WebAssembly stack, so deep recursion is an error, not a trap. */
const MAX_STACK_BYTES = 256 * 1024;
const RESULT_MAX = 100;

// Runs inside QuickJS: deep-freezes the context, compiles the tenant's body as a strict function
// (a syntax error is an ordinary exception), and calls it with `this` undefined.
const BOOT = `(function (json, source) {
  'use strict';
  const freeze = (value) => {
    if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const key of Object.keys(value)) freeze(value[key]);
    }
    return value;
  };
  const context = freeze(JSON.parse(json));
  const body = new Function('context', 'user', 'request', 'outcomes', 'tenant', '"use strict";\\n' + source);
  return body.call(undefined, context, context.user, context.request, context.outcomes, context.tenant);
})`;

let liveRuntimes = 0;

function describeError(vm: QuickJSContext, handle: QuickJSHandle): SandboxResult {
  let name = 'Error';
  let message = 'the script threw a value that is not an Error';
  try {
    const dumped = vm.dump(handle) as { name?: unknown; message?: unknown } | null;
    if (dumped && typeof dumped === 'object') {
      if (typeof dumped.name === 'string') name = dumped.name;
      if (typeof dumped.message === 'string') message = dumped.message;
    }
  } catch {
    message = 'the script threw an unreadable value';
  }
  const reason = name === 'InternalError' && message === 'interrupted' ? 'timeout'
    : name === 'InternalError' && message === 'out of memory' ? 'memory' : 'error';
  return { ok: false, reason, message: `${name}: ${message}`.slice(0, 300) };
}

let lastWasmBytes = 0;

async function instantiate(compiled: WebAssembly.Module, memoryMb: number): Promise<{ module: QuickJSWASMModule; memory: WebAssembly.Memory }> {
  const memory = new WebAssembly.Memory({ initial: BASE_PAGES, maximum: BASE_PAGES + (memoryMb * 1024 * 1024) / PAGE });
  return { module: await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule: compiled, wasmMemory: memory })), memory };
}

function run(module: QuickJSWASMModule, job: SandboxJob): SandboxResult {
  const runtime = module.newRuntime();
  liveRuntimes++;
  try {
    runtime.setMaxStackSize(MAX_STACK_BYTES);
    runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + job.timeoutMs));
    const vm = runtime.newContext();
    try {
      // Our own boot code and inputs are in place before the limit, so only the script can hit it.
      const boot = vm.unwrapResult(vm.evalCode(BOOT, 'boot.js'));
      const json = vm.newString(job.contextJson);
      const source = vm.newString(job.source);
      runtime.setMemoryLimit(job.memoryMb * 1024 * 1024);
      const result = vm.callFunction(boot, vm.undefined, json, source);
      for (const handle of [boot, json, source]) handle.dispose();
      if (result.error) {
        const failed = describeError(vm, result.error);
        result.error.dispose();
        return failed;
      }
      const type = vm.typeof(result.value);
      const value = type === 'string' ? vm.getString(result.value) : undefined;
      result.value.dispose();
      if (value === undefined) return { ok: false, reason: 'invalid_result', message: `the script returned ${type}, not a string` };
      if (value.length > RESULT_MAX) return { ok: false, reason: 'invalid_result', message: 'the script returned an overlong string' };
      return { ok: true, value };
    } finally {
      vm.dispose();
    }
  } finally {
    runtime.dispose();
    liveRuntimes--;
  }
}

async function start(): Promise<void> {
  const require = createRequire(createRequire(import.meta.url).resolve('quickjs-emscripten'));
  const compiled = await WebAssembly.compile(await readFile(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')));
  parentPort!.on('message', async (job: SandboxJob) => {
    let result: SandboxResult;
    try {
      const { module, memory } = await instantiate(compiled, job.memoryMb);
      result = run(module, job);
      lastWasmBytes = memory.buffer.byteLength;
    } catch (err) {
      // This job's WebAssembly instance failed (a trap); it is dropped with its memory.
      result = { ok: false, reason: 'crashed', message: String((err as Error)?.message ?? err).slice(0, 300) };
    }
    parentPort!.postMessage({ id: job.id, result, stats: { liveRuntimes, wasmBytes: lastWasmBytes } } satisfies SandboxReply);
  });
  parentPort!.postMessage({ ready: true } satisfies SandboxReply);
}

void start();
