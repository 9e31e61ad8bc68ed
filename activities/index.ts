// Every activity the worker registers, built once from its dependencies (the samples' factory).
import { createJourneyActivities, type JourneyActivityDeps } from './journey.ts';
import { createLockoutActivities } from './lockout.ts';

export function createActivities(deps: JourneyActivityDeps) {
  return { ...createJourneyActivities(deps), ...createLockoutActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
