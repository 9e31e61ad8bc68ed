// username: asks who the user is. Always answers `ok`, whether or not the account exists, so the
// step reveals nothing; the password step decides. An authorization request's login_hint
// prefills the field; a step-up journey (request.stepUp, set by the server only) already knows
// the user: the node answers with the session's user and shows no step.
import { z } from 'zod';
import { findUserByLogin, getUser } from '../../core/users.ts';
import { defineModule } from './module.ts';

export const usernameModule = defineModule({
  type: 'username',
  config: z.object({ label: z.string().max(100).optional() }).strict(),
  outcomes: ['ok'],
  async prepare({ config, ctx }, { db }) {
    const stepUp = ctx.request.stepUp;
    if (stepUp) {
      const user = await getUser(db, ctx.tenant, stepUp.userId);
      return {
        kind: 'outcome', outcome: 'ok',
        patch: { login: ctx.login ?? user?.email ?? user?.username, user: user ? { id: user.id, username: user.username, status: user.status } : null },
      };
    }
    const value = ctx.login ?? ctx.request.authRequest?.loginHint?.slice(0, 254);
    return {
      kind: 'step',
      step: {
        type: 'form',
        title: 'Sign in',
        fields: [{
          name: 'username', type: 'text', label: config.label ?? 'Username or email', required: true,
          autocomplete: 'username webauthn', maxLength: 254, ...(value ? { value } : {}),
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
