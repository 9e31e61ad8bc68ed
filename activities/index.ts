// Every activity the worker registers, built once from its dependencies (the samples' factory).
import { createJourneyActivities, type JourneyActivityDeps } from './journey.ts';
import { withJourneyChain } from './journey-chain.ts';
import { createLockoutActivities } from './lockout.ts';
import { createInvitationActivities } from './invitations.ts';
import { createRegistrationActivities } from './registration.ts';
import { createSignupNoticeActivities } from './signup-notice.ts';
import { createBackchannelLogoutActivities } from './backchannel-logout.ts';
import { createWebhookDeliveryActivities } from './webhook-delivery.ts';

export function createActivities(deps: JourneyActivityDeps) {
  return {
    ...withJourneyChain(createJourneyActivities(deps)),
    ...createLockoutActivities(deps),
    ...createInvitationActivities(deps),
    ...createRegistrationActivities(deps),
    ...createSignupNoticeActivities(deps),
    ...createBackchannelLogoutActivities(deps),
    ...createWebhookDeliveryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
