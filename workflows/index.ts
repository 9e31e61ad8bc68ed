// Every workflow the worker runs.
export { journeyWorkflow } from './journey.ts';
export { lockoutWorkflow } from './lockout.ts';
export { invitationWorkflow } from './invitation.ts';
export { registrationWorkflow } from './registration.ts';
export { signupNoticeWorkflow } from './signup-notice.ts';
export { backchannelLogoutWorkflow } from './backchannel-logout.ts';
export { temporalFloorWorkflow } from './floor.ts';
