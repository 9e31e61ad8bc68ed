// Mails the owner of a taken address about a signup attempt (see workflows/signup-notice.ts).
// Once per journey, however often it is retried (the mail's dedupe key).
import { ApplicationFailure } from '@temporalio/common';
import { createMailer, MailError } from '../core/infra/mail.ts';
import type { JourneyActivityDeps } from './journey.ts';
import type { SignupNoticeInput } from '../workflows/signup-notice-contracts.ts';

export function createSignupNoticeActivities({ db, config, mail }: JourneyActivityDeps) {
  const mailer = mail ?? createMailer({ db, smtpUrl: config.smtpUrl, ...(config.mailFrom ? { from: config.mailFrom } : {}) });
  return {
    async sendSignupNotice(input: SignupNoticeInput): Promise<void> {
      try {
        await mailer.send({
          tenant: input.tenant, to: input.to, template: 'signup-existing', vars: { tenant: input.tenant }, dedupeKey: `signup-existing:${input.journeyId}`,
        });
      } catch (err) {
        // A malformed stored address will never work: stop; a refusing server is retried.
        if (err instanceof MailError && /not a valid email/.test(err.message)) throw ApplicationFailure.nonRetryable(err.message, 'MailError');
        throw err;
      }
    },
  };
}
