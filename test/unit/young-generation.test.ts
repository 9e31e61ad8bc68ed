import { describe, expect, it } from 'vitest';
import { youngGenerationFlag } from '../../bin/runtime/young-generation.ts';

const base = { execArgv: ['--enable-source-maps'], env: {} as Record<string, string | undefined> };

describe('youngGenerationFlag', () => {
  it('adds the cap for start, server and worker', () => {
    for (const command of ['start', 'server', 'worker']) {
      expect(youngGenerationFlag({ ...base, argv: ['/node', '/bin/tessera.js', command, '--x'] })).toBe('--max-semi-space-size=16');
    }
  });

  it('leaves one-shot commands, a flag given on the command line or in NODE_OPTIONS, and 0 alone', () => {
    expect(youngGenerationFlag({ ...base, argv: ['/node', '/t.js', 'users', 'list'] })).toBeUndefined();
    expect(youngGenerationFlag({ ...base, argv: ['/node', '/t.js'] })).toBeUndefined();
    expect(youngGenerationFlag({ ...base, execArgv: ['--max-semi-space-size=8'], argv: ['/node', '/t.js', 'server'] })).toBeUndefined();
    expect(youngGenerationFlag({ ...base, env: { NODE_OPTIONS: '--max-semi-space-size=64' }, argv: ['/node', '/t.js', 'server'] })).toBeUndefined();
    expect(youngGenerationFlag({ ...base, env: { TESSERA_SEMI_SPACE_MB: '0' }, argv: ['/node', '/t.js', 'worker'] })).toBeUndefined();
  });

  it('takes TESSERA_SEMI_SPACE_MB and refuses what is not a size', () => {
    expect(youngGenerationFlag({ ...base, env: { TESSERA_SEMI_SPACE_MB: '32' }, argv: ['/node', '/t.js', 'start'] }))
      .toBe('--max-semi-space-size=32');
    for (const bad of ['-1', '1.5', 'lots', '4096']) {
      expect(() => youngGenerationFlag({ ...base, env: { TESSERA_SEMI_SPACE_MB: bad }, argv: ['/node', '/t.js', 'server'] }))
        .toThrow(/TESSERA_SEMI_SPACE_MB must be a whole number/);
    }
  });
});
