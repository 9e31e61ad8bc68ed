// A step's input at the edge, before it reaches Temporal: every string in it must be clean text
// (core/infra/clean-text.ts), so a NUL byte or another control character is refused with 400 and
// the same step, never carried to a module and a database query. The workflow's update validator
// checks the same again (workflows/journey-values.ts).
import { isCleanText } from '../../../core/infra/clean-text.ts';
import type { StepError } from '../../../core/journeys/journey-types.ts';

/** One error per top-level field holding unclean text anywhere in its value. */
export function uncleanFields(body: unknown): StepError[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors: StepError[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (!isCleanText(field) || holdsUnclean(value)) {
      errors.push({ ...(isCleanText(field) ? { field } : {}), code: 'invalid_characters', message: 'This field contains characters that are not allowed.' });
    }
  }
  return errors;
}

function holdsUnclean(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string' && !isCleanText(item)) return true;
    if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (!isCleanText(key)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}
