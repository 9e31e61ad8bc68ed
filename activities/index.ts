// Every activity the worker registers, built once from its dependencies (the samples' factory).
import { createJourneyActivities, type JourneyActivityDeps } from './journey.ts';

export function createActivities(deps: JourneyActivityDeps) {
  return { ...createJourneyActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
