// What a validator refused with: the ApplicationFailure type it threw, 'other' for any other
// error, undefined when it accepted.
import { ApplicationFailure } from '@temporalio/common';

export function refusal(fn: () => void): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ApplicationFailure ? err.type ?? undefined : 'other';
  }
  return undefined;
}
