// Every workflow the worker runs.
export { journeyWorkflow } from './journey.ts';
export { lockoutWorkflow } from './lockout.ts';
