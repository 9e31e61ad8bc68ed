// The registration workflow's outgoing mail. Each message is delivered by its own coroutine, so
// that decisions and timers never wait for mail, and one address that keeps failing never holds
// up another message. A message is tried by an activity (a few quick attempts); when those fail,
// the outbox waits (1 minute, doubling up to 1 hour) and tries again, forever: mail is never
// dropped, unless it became pointless (a verification link once the registration has ended).
import { ActivityFailure, ApplicationFailure, condition } from '@temporalio/workflow';
import type { RegistrationMail } from '../activities/registration.ts';
import type { RegistrationRecord } from './registration-state.ts';

const FIRST_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 3_600_000;

export function backoffMs(failures: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
}

/** What the query may show of a failure: a MailError's message (it carries no secret), nothing else. */
function describe(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === 'MailError') return cause.message;
  return 'the mail could not be sent';
}

export class Outbox {
  readonly #record: RegistrationRecord;
  readonly #send: (mail: RegistrationMail) => Promise<void>;
  #open = 0;

  constructor(record: RegistrationRecord, send: (mail: RegistrationMail) => Promise<void>) {
    this.#record = record;
    this.#send = send;
  }

  /** True when every message was sent (or dropped as pointless). */
  get idle(): boolean {
    return this.#open === 0;
  }

  /** Queues a message; `pointless` is checked before each new try. */
  post(mail: RegistrationMail, pointless: () => boolean = () => false): void {
    const job = this.#record.mailQueued();
    this.#open++;
    void this.#deliver(job, mail, pointless).finally(() => this.#open--);
  }

  async #deliver(job: number, mail: RegistrationMail, pointless: () => boolean): Promise<void> {
    for (let failures = 0; ;) {
      if (pointless()) break;
      this.#record.mailSending(job);
      try {
        await this.#send(mail);
        break;
      } catch (err) {
        failures++;
        this.#record.mailFailed(job, describe(err));
        await condition(pointless, backoffMs(failures));
      }
    }
    this.#record.mailDone(job);
  }
}
