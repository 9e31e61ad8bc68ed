// Input checks the update validator runs before anything reaches history.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../core/journeys/journey-types.ts';
import { checkValues } from '../../workflows/journey-values.ts';

const form: Step = {
  id: 'login#1', node: 'login', type: 'form', title: 'Sign in',
  fields: [
    { name: 'username', type: 'text', label: 'Username', required: true, maxLength: 10 },
    { name: 'code', type: 'otp', label: 'Code', required: false },
    { name: 'terms', type: 'checkbox', label: 'Terms', required: false },
  ],
};

describe('checkValues', () => {
  it('accepts the step fields and turns booleans into text', () => {
    expect(checkValues(form, { username: 'alice', code: ' 123456 ', terms: true })).toEqual({
      ok: true, values: { username: 'alice', code: '123456', terms: 'true' },
    });
  });

  it.each([
    [{}, 'required'],
    [{ username: '   ' }, 'required'],
    [{ username: 'alice', other: 'x' }, 'unknown_field'],
    [{ username: 7 }, 'invalid_type'],
    [{ username: { $gt: '' } }, 'invalid_type'],
    [{ username: 'a'.repeat(11) }, 'too_long'],
    [{ username: 'alice', code: '12ab56' }, 'invalid_format'],
  ])('refuses %j (%s)', (values, code) => {
    const check = checkValues(form, values);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.errors.map((e) => e.code)).toContain(code);
  });

  it('refuses non-objects', () => {
    for (const raw of [null, 'x', ['a'], 3]) expect(checkValues(form, raw).ok).toBe(false);
  });

  it('requires a required checkbox to be ticked', () => {
    const step: Step = { ...form, fields: [{ name: 'terms', type: 'checkbox', label: 'Terms', required: true }] };
    expect(checkValues(step, { terms: false }).ok).toBe(false);
    expect(checkValues(step, { terms: 'true' }).ok).toBe(true);
  });

  it('accepts only offered choices', () => {
    const step: Step = { id: 'c#1', node: 'c', type: 'choice', title: 'Pick', choices: [{ value: 'pw', label: 'Password' }] };
    expect(checkValues(step, { choice: 'pw' })).toEqual({ ok: true, values: { choice: 'pw' } });
    expect(checkValues(step, { choice: 'other' }).ok).toBe(false);
  });
});
