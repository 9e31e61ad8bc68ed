// new-password: the user chooses a new password (recovery, or a forced change after sign-in).
// Rules: only for a journey that has already proven who the user is (some AMR, e.g. the recovery
// link): placed straight after `username` by mistake it would let anyone set anyone's password,
// so it answers `none` instead; the password is typed twice and must meet the tenant's policy
// (length, breached list, not the email), else `retry` re-shows the step with the reason; on
// success it stores an argon2id hash, ends every session of the user, forgets the account's
// throttle failures, and audits `password.reset` (never the password). Not remembered.
import { z } from 'zod';
import type { Field, StepError } from '../../core/journeys/journey-types.ts';
import { newPasswordProblem } from '../../core/registration/password-policy.ts';
import { PASSWORD_MAX } from '../../core/accounts/passwords.ts';
import { getRegistrationSettings } from '../../core/registration/registration-settings.ts';
import { resetThrottle } from '../../core/accounts/throttle.ts';
import { getUser, setPassword } from '../../core/accounts/users.ts';
import { defineModule } from './module.ts';

const NOT_PROVEN = { code: 'reset_not_allowed', message: 'We could not confirm who you are. Please start again.' };
const MISMATCH: StepError = { field: 'confirm', code: 'password_mismatch', message: 'The two passwords do not match.' };

const FIELDS: Field[] = [
  { name: 'password', type: 'password', label: 'New password', required: true, autocomplete: 'new-password', maxLength: PASSWORD_MAX },
  { name: 'confirm', type: 'password', label: 'Repeat the new password', required: true, autocomplete: 'new-password', maxLength: PASSWORD_MAX },
];

export const newPasswordModule = defineModule({
  type: 'new-password',
  config: z.object({}).strict(),
  outcomes: ['ok', 'retry', 'none'],
  // Unrouted, "nobody proven" ends in `failure`.
  optionalOutcomes: ['none'],
  rememberOutcomes: [],
  async prepare({ ctx }, { db }) {
    if (!ctx.user || ctx.amr.length === 0) return { kind: 'outcome', outcome: 'none', patch: { error: NOT_PROVEN } };
    const { password } = await getRegistrationSettings(db, ctx.tenant);
    return {
      kind: 'step',
      step: {
        type: 'form',
        title: 'Choose a new password',
        description: `Use at least ${password.minLength} characters${password.breachedCheck ? ', and not a common password' : ''}.`,
        fields: [
          // Lets password managers file the new password under the account; ignored by verify.
          { name: 'username', type: 'hidden', label: 'Username', required: false, autocomplete: 'username', value: ctx.login ?? ctx.user.username, maxLength: 254 },
          ...FIELDS,
        ],
      },
    };
  },
  async verify({ ctx, node, attempt }, values, { db, audit }) {
    const user = ctx.user && ctx.amr.length > 0 ? await getUser(db, ctx.tenant, ctx.user.id) : undefined;
    if (!user) return { outcome: 'none', patch: { error: NOT_PROVEN } };
    const password = values.password!;
    if (password !== values.confirm) return { outcome: 'retry', errors: [MISMATCH] };
    const settings = await getRegistrationSettings(db, ctx.tenant);
    const problem = newPasswordProblem(password, settings.password, user.email ?? undefined);
    if (problem) return { outcome: 'retry', errors: [{ field: 'password', code: 'weak_password', message: problem }] };
    const { sessionsRevoked } = await setPassword(db, ctx.tenant, user.id, password);
    await resetThrottle(db, ctx.tenant, user.id);
    await audit({
      tenant: ctx.tenant, type: 'password.reset', subject: user.id, journeyId: ctx.journeyId,
      dedupeKey: `password-reset:${ctx.journeyId}:${node}:${attempt}`,
      data: { node, kind: ctx.kind, ip: ctx.request.ip ?? null, sessionsRevoked },
    });
    return { outcome: 'ok' };
  },
});
