// Checks submitted values against the step the user was shown, before anything is written to
// history. Pure and synchronous: it runs inside the update validator. Every field's value must be
// clean text (no control characters, no lone surrogates): such input never reaches a module.
import { isCleanText } from '../core/infra/clean-text.ts';
import type { Step, StepError } from '../core/journeys/journey-types.ts';

const DEFAULT_MAX = 1000;

export type ValuesCheck = { ok: true; values: Record<string, string> } | { ok: false; errors: StepError[] };

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

function unclean(field: string, label: string): StepError {
  return { field, code: 'invalid_characters', message: `${label} contains characters that are not allowed.` };
}

export function checkValues(step: Step, raw: unknown): ValuesCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ code: 'invalid_input', message: 'Input must be a JSON object.' }] };
  }
  const input = raw as Record<string, unknown>;
  const errors: StepError[] = [];
  const values: Record<string, string> = {};
  // A form may also offer choices (the sign-in step's identity providers): answered by either.
  if (step.choices?.length && (step.type !== 'form' || Object.hasOwn(input, 'choice'))) {
    const choice = text(input.choice);
    if (!step.choices?.some((c) => c.value === choice)) errors.push({ field: 'choice', code: 'invalid_choice', message: 'Pick one of the offered options.' });
    else values.choice = choice!;
    return errors.length ? { ok: false, errors } : { ok: true, values };
  }
  const fields = step.fields ?? [];
  const known = new Set(fields.map((f) => f.name));
  for (const name of Object.keys(input)) {
    if (!known.has(name)) errors.push({ field: name, code: 'unknown_field', message: `Unexpected field "${name}".` });
  }
  for (const field of fields) {
    const value = input[field.name] === undefined ? undefined : text(input[field.name]);
    if (input[field.name] !== undefined && value === undefined) {
      errors.push({ field: field.name, code: 'invalid_type', message: `${field.label} must be text.` });
    } else if (value !== undefined && !isCleanText(value)) {
      errors.push(unclean(field.name, field.label));
    } else if (field.required && (value === undefined || value.trim() === '' || (field.type === 'checkbox' && value !== 'true'))) {
      errors.push({ field: field.name, code: 'required', message: `${field.label} is required.` });
    } else if (value !== undefined && value.length > (field.maxLength ?? DEFAULT_MAX)) {
      errors.push({ field: field.name, code: 'too_long', message: `${field.label} is too long.` });
    } else if (value !== undefined && field.type === 'otp' && !/^\d{6,8}$/.test(value.trim())) {
      errors.push({ field: field.name, code: 'invalid_format', message: `${field.label} must be digits.` });
    } else if (value !== undefined) {
      values[field.name] = field.type === 'otp' ? value.trim() : value;
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, values };
}
