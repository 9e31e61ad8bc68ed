// The Temporal floor workflow's name and update (test/bench/floor.ts drives it): the cost of the
// SDK and the server alone, for as many updates as a login has user steps.
import { defineUpdate } from '@temporalio/workflow';

export const FLOOR_WORKFLOW = 'temporalFloorWorkflow';

/** A no-op step: answers how many steps the workflow has taken. */
export const floorStepUpdate = defineUpdate<number, []>('floorStep');
