// credentials: username and password on one page (as Keycloak's default login form), for the
// `login-one-page` tree; the identifier-first `login` tree stays for passkeys and IdP routing.
// Rules:
// - before any password is checked, the throttle's check runs for the typed login and the
//   address (same limits and keys as a `throttle` node in `check` mode, config `throttle`): a
//   locked account or address answers `locked` and a captcha earned answers `captcha`, and then
//   the password is not verified at all;
// - the same answer and the same cost (one argon2 verification) whether the account is unknown,
//   has no password, or the password is wrong; a failure is audited without the password and
//   names the typed login and the user (so a following throttle node counts under the account);
// - `idps: true` offers the tenant's upstream identity providers as choices (`federated`);
// - a step-up journey (request.stepUp) already knows the user: only the password is asked.
import { z } from 'zod';
import { loginIdps } from '../../core/federation/identity-providers.ts';
import { PASSWORD_MAX, verifyPassword } from '../../core/accounts/passwords.ts';
import { findUserByLogin, getPasswordHash, getUser } from '../../core/accounts/users.ts';
import { checkThrottle, LOCKED, ThrottleLimits } from './throttle.ts';
import { defineModule } from './module.ts';

const WRONG = { field: 'password', code: 'invalid_credentials', message: 'Wrong username or password.' };

export const credentialsModule = defineModule({
  type: 'credentials',
  config: z.object({
    label: z.string().max(100).optional(),
    idps: z.boolean().default(false),
    throttle: ThrottleLimits,
  }).strict(),
  outcomes: (config) => ['ok', 'bad', 'captcha', 'locked', ...(config.idps ? ['federated'] : [])],
  proves: ['pwd'],
  async prepare({ config, ctx }, { db }) {
    const stepUp = ctx.request.stepUp;
    const user = stepUp ? await getUser(db, ctx.tenant, stepUp.userId) : undefined;
    const login = stepUp ? ctx.login ?? user?.email ?? user?.username : ctx.login ?? ctx.request.authRequest?.loginHint?.slice(0, 254);
    const idps = config.idps && !stepUp ? await loginIdps(db, ctx.tenant) : [];
    return {
      kind: 'step',
      ...(stepUp ? { patch: { login, user: user ? { id: user.id, username: user.username, status: user.status } : null } } : {}),
      step: {
        type: 'form',
        title: 'Sign in',
        ...(stepUp && login ? { description: `Signing in as ${login}` } : {}),
        fields: [
          stepUp
            ? { name: 'username', type: 'hidden' as const, label: 'Username', required: false, autocomplete: 'username', maxLength: 254, ...(login ? { value: login } : {}) }
            : { name: 'username', type: 'text' as const, label: config.label ?? 'Username or email', required: true, autocomplete: 'username webauthn', maxLength: 254, ...(login ? { value: login } : {}) },
          { name: 'password', type: 'password' as const, label: 'Password', required: !idps.length, autocomplete: 'current-password', maxLength: PASSWORD_MAX * 4 },
        ],
        ...(idps.length ? { choices: idps.map((idp) => ({ value: idp.alias, label: `Continue with ${idp.displayName}` })) } : {}),
      },
    };
  },
  async verify({ ctx, node, config }, values, { db, audit, now }) {
    if (values.choice !== undefined && config.idps && !ctx.request.stepUp) return { outcome: 'federated', patch: { user: null, federated: { idp: values.choice } } };
    const stepUp = ctx.request.stepUp !== undefined;
    const login = stepUp ? ctx.login : values.username?.trim();
    if (!login) return { outcome: 'bad', errors: [{ field: 'username', code: 'required', message: 'Enter your username or email.' }] };
    const found = stepUp ? ctx.user : await findUserByLogin(db, ctx.tenant, login);
    const user = found ? { id: found.id, username: found.username, status: found.status } : null;
    const named = { login, user };
    const gate = await checkThrottle(db, ctx.tenant, { user, login, ip: ctx.request.ip }, config.throttle, now());
    if (gate === 'locked') return { outcome: 'locked', patch: { ...named, error: LOCKED } };
    if (gate === 'captcha') return { outcome: 'captcha', patch: named };
    if (!values.password) return { outcome: 'bad', patch: named, errors: [{ field: 'password', code: 'required', message: 'Enter your password.' }] };
    const stored = user ? await getPasswordHash(db, ctx.tenant, user.id) : undefined;
    if (await verifyPassword(stored, values.password)) return { outcome: 'ok', patch: { ...named, amr: ['pwd'] } };
    await audit({
      tenant: ctx.tenant, type: 'login.password_failed', subject: user?.id, journeyId: ctx.journeyId,
      data: { node, ip: ctx.request.ip ?? null, knownAccount: user !== null },
    });
    return { outcome: 'bad', patch: named, errors: [WRONG] };
  },
});
