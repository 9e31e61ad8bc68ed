// Every workflow the worker runs.
export { journeyWorkflow } from './journey.ts';
