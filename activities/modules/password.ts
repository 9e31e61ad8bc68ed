// password: checks the password of the user named earlier in the journey.
// Rules: the same answer and the same cost (one argon2 verification) whether the account is
// unknown, has no password, or the password is wrong; failures are audited without the password.
import { z } from 'zod';
import { getPasswordHash } from '../../core/accounts/users.ts';
import { PASSWORD_MAX, verifyPassword } from '../../core/accounts/passwords.ts';
import { defineModule } from './module.ts';

const WRONG = { field: 'password', code: 'invalid_credentials', message: 'Wrong username or password.' };

export const passwordModule = defineModule({
  type: 'password',
  config: z.object({}).strict(),
  outcomes: ['ok', 'bad'],
  proves: ['pwd'],
  async prepare({ ctx }) {
    return {
      kind: 'step',
      step: {
        type: 'form',
        title: 'Enter your password',
        ...(ctx.login ? { description: `Signing in as ${ctx.login}` } : {}),
        fields: [
          // Lets password managers pair the password with the account; ignored by verify.
          ...(ctx.login ? [{ name: 'username', type: 'hidden' as const, label: 'Username', required: false, autocomplete: 'username', value: ctx.login, maxLength: 254 }] : []),
          { name: 'password', type: 'password', label: 'Password', required: true, autocomplete: 'current-password', maxLength: PASSWORD_MAX * 4 },
        ],
      },
    };
  },
  async verify({ ctx, node }, values, { db, audit }) {
    const stored = ctx.user ? await getPasswordHash(db, ctx.tenant, ctx.user.id) : undefined;
    const ok = await verifyPassword(stored, values.password!);
    if (ok) return { outcome: 'ok', patch: { amr: ['pwd'] } };
    await audit({
      tenant: ctx.tenant, type: 'login.password_failed', subject: ctx.user?.id, journeyId: ctx.journeyId,
      data: { node, ip: ctx.request.ip ?? null, knownAccount: ctx.user !== undefined },
    });
    return { outcome: 'bad', errors: [WRONG] };
  },
});
