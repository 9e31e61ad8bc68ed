// username: asks who the user is. Always answers `ok`, whether or not the account exists, so the
// step reveals nothing; the password step decides. An authorization request's login_hint
// prefills the field; a step-up journey (request.stepUp, set by the server only) already knows
// the user: the node answers with the session's user and shows no step.
// With `idps: true` the step also offers the tenant's upstream identity providers (enabled and
// shown on login) as choices; picking one answers `federated` and names the IdP for the next
// node (an `idp` node, see upstream-idp.ts).
import { z } from 'zod';
import { loginIdps } from '../../core/federation/identity-providers.ts';
import { findUserByLogin, getUser } from '../../core/accounts/users.ts';
import { defineModule } from './module.ts';

export const usernameModule = defineModule({
  type: 'username',
  config: z.object({ label: z.string().max(100).optional(), idps: z.boolean().default(false) }).strict(),
  outcomes: (config) => (config.idps ? ['ok', 'federated'] : ['ok']),
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
    const idps = config.idps ? await loginIdps(db, ctx.tenant) : [];
    return {
      kind: 'step',
      step: {
        type: 'form',
        title: 'Sign in',
        fields: [{
          name: 'username', type: 'text', label: config.label ?? 'Username or email', required: true,
          autocomplete: 'username webauthn', maxLength: 254, ...(value ? { value } : {}),
        }],
        ...(idps.length ? { choices: idps.map((idp) => ({ value: idp.alias, label: `Continue with ${idp.displayName}` })) } : {}),
      },
    };
  },
  async verify({ ctx }, values, { db }) {
    if (values.choice !== undefined) return { outcome: 'federated', patch: { user: null, federated: { idp: values.choice } } };
    const login = values.username!.trim();
    const user = await findUserByLogin(db, ctx.tenant, login);
    return {
      outcome: 'ok',
      patch: { login, user: user ? { id: user.id, username: user.username, status: user.status } : null },
    };
  },
});
