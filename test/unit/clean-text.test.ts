// What the Journey API accepts as typed text: whitespace people type or paste passes (the modules
// fold it); NUL, other control characters and lone surrogates never reach a query.
import { describe, expect, it } from 'vitest';
import { isCleanText } from '../../core/infra/clean-text.ts';

describe('isCleanText', () => {
  it('accepts text with tabs and line breaks, refuses NUL, other controls and lone surrogates', () => {
    for (const ok of ['alice@example.com', 'Ünïcödé 名前 🙂', '+1 555\n0100', 'a\tb', 'line\r\nbreak']) expect(isCleanText(ok), JSON.stringify(ok)).toBe(true);
    for (const bad of ['a\u0000b', 'bell\u0007', 'esc\u001b[0m', 'del\u007f', 'c1\u0085', 'lone\ud800', '\udc00x']) expect(isCleanText(bad), JSON.stringify(bad)).toBe(false);
  });
});
