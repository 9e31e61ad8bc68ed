// Temporal's floor, for the benchmark: a workflow that takes `steps` no-op updates (the first by
// update-with-start, as a journey's first step) and ends — no activity, no timer, nothing else.
// Run by the same worker (same SDK, same settings) as the journeys it is compared with.
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import { floorStepUpdate } from './floor-contracts.ts';

export async function temporalFloorWorkflow(steps: number): Promise<number> {
  let taken = 0;
  setHandler(floorStepUpdate, () => ++taken);
  await condition(() => taken >= steps);
  await condition(allHandlersFinished);
  return taken;
}
