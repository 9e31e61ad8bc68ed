// username: asks who the user is. Always answers `ok`, whether or not the account exists, so the
// step reveals nothing; the password step decides.
import { z } from 'zod';
import { findUserByLogin } from '../../core/users.ts';
import { defineModule } from './module.ts';

export const usernameModule = defineModule({
  type: 'username',
  config: z.object({ label: z.string().max(100).optional() }).strict(),
  outcomes: ['ok'],
  async prepare({ config, ctx }) {
    return {
      kind: 'step',
      step: {
        type: 'form',
        title: 'Sign in',
        fields: [{
          name: 'username', type: 'text', label: config.label ?? 'Username or email', required: true,
          autocomplete: 'username webauthn', maxLength: 254, ...(ctx.login ? { value: ctx.login } : {}),
        }],
      },
    };
  },
  async verify({ ctx }, values, { db }) {
    const login = values.username!.trim();
    const user = await findUserByLogin(db, ctx.tenant, login);
    return {
      outcome: 'ok',
      patch: { login, user: user ? { id: user.id, username: user.username, status: user.status } : null },
    };
  },
});
