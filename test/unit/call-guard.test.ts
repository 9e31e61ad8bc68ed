// One deadline over nested calls into a sandbox context (bin/runtime/call-guard.ts): what the
// in-process workflow runtime relies on — values and errors pass through, the inner context's
// microtasks still run after each inner call, and an endless inner call is stopped at the
// guard's deadline with the usual timeout error, leaving both contexts usable.
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { runGuarded } from '../../bin/runtime/call-guard.ts';

function sandbox() {
  const context = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
  const run = (code: string): unknown => vm.runInContext(code, context);
  run('globalThis.log = []; globalThis.later = () => Promise.resolve().then(() => log.push("microtask"));');
  return run;
}

describe('runGuarded', () => {
  it('returns what the task returns and rethrows what it throws', () => {
    expect(runGuarded(1000, () => 42)).toBe(42);
    expect(() => runGuarded(1000, () => { throw new RangeError('nope'); })).toThrow(RangeError);
  });

  it('runs the inner context microtasks after each inner call, as the unguarded calls do', () => {
    const run = sandbox();
    const seen = runGuarded(1000, () => {
      run('later(); log.push("call 1")');
      const afterFirst = run('log.join()');
      run('log.push("call 2")');
      return afterFirst;
    });
    expect(seen).toBe('call 1,microtask');
    expect(run('log.join()')).toBe('call 1,microtask,call 2');
  });

  it('stops an endless inner call at the deadline and leaves both contexts usable', () => {
    const run = sandbox();
    let after = false;
    const started = performance.now();
    expect(() => runGuarded(200, () => {
      run('for (;;) {}');
      after = true;
    })).toThrow(/Script execution timed out after 200ms/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(after).toBe(false);
    expect(run('later(); 1 + 1')).toBe(2);
    expect(runGuarded(1000, () => run('log.length'))).toBe(1);
  });

  it('lets a guarded call nest inside another', () => {
    expect(runGuarded(1000, () => runGuarded(1000, () => 'inner') + ' outer')).toBe('inner outer');
  });
});
