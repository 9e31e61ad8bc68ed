import { describe, expect, it } from 'vitest';
import { heapGrowingFlag } from '../../bin/runtime/heap-growing.ts';

const base = { execArgv: [] as string[], env: {} as Record<string, string | undefined> };
const argv = (command: string) => ['/node', '/bin/tessera.js', command];

describe('heapGrowingFlag', () => {
  it('fixes the factor for the server only by default', () => {
    expect(heapGrowingFlag({ ...base, argv: argv('server') })).toBe('--heap-growing-percent=50');
    expect(heapGrowingFlag({ ...base, argv: argv('worker') })).toBeUndefined();
    expect(heapGrowingFlag({ ...base, argv: argv('start') })).toBeUndefined();
    expect(heapGrowingFlag({ ...base, argv: argv('users') })).toBeUndefined();
  });

  it('takes TESSERA_HEAP_GROWING_PERCENT for all three, 0 leaving V8 its own', () => {
    for (const command of ['start', 'server', 'worker']) {
      expect(heapGrowingFlag({ ...base, env: { TESSERA_HEAP_GROWING_PERCENT: '25' }, argv: argv(command) })).toBe('--heap-growing-percent=25');
      expect(heapGrowingFlag({ ...base, env: { TESSERA_HEAP_GROWING_PERCENT: '0' }, argv: argv(command) })).toBeUndefined();
    }
    expect(heapGrowingFlag({ ...base, env: { TESSERA_HEAP_GROWING_PERCENT: '25' }, argv: argv('migrate') })).toBeUndefined();
  });

  it('keeps a flag given on the command line or in NODE_OPTIONS, and refuses what is not a percentage', () => {
    expect(heapGrowingFlag({ ...base, execArgv: ['--heap-growing-percent=80'], argv: argv('server') })).toBeUndefined();
    expect(heapGrowingFlag({ ...base, env: { NODE_OPTIONS: '--heap-growing-percent=80' }, argv: argv('server') })).toBeUndefined();
    for (const bad of ['-1', '2.5', 'half', '301']) {
      expect(() => heapGrowingFlag({ ...base, env: { TESSERA_HEAP_GROWING_PERCENT: bad }, argv: argv('server') }))
        .toThrow(/TESSERA_HEAP_GROWING_PERCENT must be a whole number/);
    }
  });
});
