// Tells the owner of an address that someone tried to sign up with it. Its own workflow so that
// signing up with a taken address costs what signing up with a new one does (one workflow start,
// no SMTP round trip in the request): the answer's timing reveals no account. The mail is
// retried until it goes out (dedupe key: the journey), never dropped.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { SignupNoticeInput } from './signup-notice-contracts.ts';

const { sendSignupNotice } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '7d',
  retry: { initialInterval: '5s', maximumInterval: '1h', backoffCoefficient: 2 },
});

export async function signupNoticeWorkflow(input: SignupNoticeInput): Promise<void> {
  await sendSignupNotice(input);
}
