// The journey workflow's messages. The server imports this file, never the workflow itself.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { FollowLinkInput, JourneySnapshot, SubmitInput } from '../core/journeys/journey-types.ts';

/** Input for the current step; the validator refuses any other step before it reaches history. */
export const submitUpdate = defineUpdate<JourneySnapshot, [SubmitInput]>('submit');
/** Waits until the journey shows its first step (or ends) and returns it: used with start. */
export const firstStepUpdate = defineUpdate<JourneySnapshot, []>('firstStep');
/** The journey as the server may see it; the server passes on only `view`. */
export const snapshotQuery = defineQuery<JourneySnapshot>('snapshot');
/** A mailed link for the current step was followed: moves the journey to that browser and answers the step. */
export const followLinkUpdate = defineUpdate<JourneySnapshot, [FollowLinkInput]>('followLink');
