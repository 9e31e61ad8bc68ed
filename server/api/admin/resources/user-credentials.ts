// A user's credentials, as admins see and reset them:
//   GET    /users/{id}/credentials                 whether a password is set, TOTP enrolled, which passkeys
//   PUT    /users/{id}/password                    { password, endSessions? } → 204 (under the tenant's policy)
//   POST   /users/{id}/password-reset              202: the user is mailed a single-use recovery link
//   DELETE /users/{id}/totp                        204 (404 when not enrolled)
//   DELETE /users/{id}/passkeys/{credentialId}     204
// Rules: never a hash, TOTP secret or public key in an answer; a password is never answered nor
// audited; a new password ends the user's sessions as a logout does unless `endSessions: false`;
// a reset link goes only to an active account with an email (409 otherwise), through the
// tenant's own recovery journey (password-reset.ts).
import { z } from 'zod';
import { passwordSetAt, setPassword, UserInputError } from '../../../../core/accounts/users.ts';
import { deleteTotp, totpEnrolledAt } from '../../../../core/accounts/totp.ts';
import { deleteCredential, listCredentials } from '../../../../core/accounts/webauthn-credentials.ts';
import { HttpError, notFound } from '../../../http-error.ts';
import { withSessionsEnded } from '../end-sessions.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { mailRecoveryLink, RecoveryUnavailable } from '../password-reset.ts';
import { IdParams, Timestamp } from '../schemas.ts';
import { checkPasswordPolicy, userOr404 } from './user-json.ts';

const read = { area: 'manage', write: false } as const;
const write = { area: 'manage', write: true } as const;

const Credentials = z.object({
  password: z.object({ set: z.boolean(), updatedAt: Timestamp.nullable() }),
  totp: z.object({ enrolled: z.boolean(), enrolledAt: Timestamp.nullable() }),
  passkeys: z.array(z.object({
    id: z.string().describe('The credential id (base64url), as the authenticator reports it.'),
    name: z.string().nullable().describe('A name for people; null while none is recorded.'),
    deviceType: z.enum(['singleDevice', 'multiDevice']), backedUp: z.boolean(), transports: z.array(z.string()),
    createdAt: Timestamp, lastUsedAt: Timestamp.nullable(),
  })),
});

const PasswordBody = z.object({
  password: z.string().max(256),
  endSessions: z.boolean().default(true).describe('End the user\'s sessions (default true).'),
}).strict();

export const operations: Operation[] = [
  defineOperation({
    id: 'users.credentials', method: 'GET', path: '/users/{id}/credentials', scope: 'tenant', tag: 'users',
    summary: 'How the user can sign in: password, TOTP, passkeys (never a secret)', access: read, params: IdParams, response: Credentials,
    async run({ db, tenant }, { params }) {
      const user = await userOr404(db, tenant, params.id);
      const [password, totp, passkeys] = await Promise.all([
        passwordSetAt(db, tenant, user.id), totpEnrolledAt(db, tenant, user.id), listCredentials(db, tenant, user.id),
      ]);
      return {
        password: { set: password !== undefined, updatedAt: password ?? null },
        totp: { enrolled: totp !== undefined, enrolledAt: totp ?? null },
        passkeys: passkeys.map((p) => ({
          id: p.id, name: p.name ?? null, deviceType: p.deviceType, backedUp: p.backedUp, transports: p.transports, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt,
        })),
      };
    },
  }),
  defineOperation({
    id: 'users.set-password', method: 'PUT', path: '/users/{id}/password', scope: 'tenant', tag: 'users',
    summary: 'Set the user\'s password (ends their sessions unless endSessions is false)',
    access: write, params: IdParams, body: PasswordBody, response: z.void(), status: 204,
    async run(ctx, { params, body }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      await checkPasswordPolicy(ctx.db, ctx.tenant, body.password, user.email);
      const change = () => setPassword(ctx.db, ctx.tenant, user.id, body.password, { endSessions: body.endSessions });
      try {
        const { sessionsRevoked } = body.endSessions ? await withSessionsEnded(ctx, ctx.tenant, user.id, change) : await change();
        ctx.note({ data: { sessionsEnded: sessionsRevoked } });
      } catch (err) {
        if (err instanceof UserInputError) throw new HttpError(400, 'weak_password', `password: ${err.message}`);
        throw err;
      }
    },
  }),
  defineOperation({
    id: 'users.reset-password', method: 'POST', path: '/users/{id}/password-reset', scope: 'tenant', tag: 'users',
    summary: 'Mail the user a single-use link to choose a new password (the recovery journey)',
    access: write, params: IdParams, response: z.object({ status: z.literal('sent'), email: z.string() }), status: 202,
    async run(ctx, { params }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      if (!user.email) throw new HttpError(409, 'no_email', 'This user has no email address to send a link to.');
      if (user.status !== 'active') throw new HttpError(409, 'user_not_active', 'Only an active user can reset their password.');
      try {
        const { journeyId } = await mailRecoveryLink(ctx, ctx.tenant, user);
        ctx.note({ data: { journey: journeyId } });
      } catch (err) {
        if (err instanceof RecoveryUnavailable) throw new HttpError(409, 'recovery_unavailable', `The tenant's recovery cannot send this link: ${err.message}.`);
        throw err;
      }
      return { status: 'sent' as const, email: user.email };
    },
  }),
  defineOperation({
    id: 'users.remove-totp', method: 'DELETE', path: '/users/{id}/totp', scope: 'tenant', tag: 'users',
    summary: 'Remove the user\'s TOTP authenticator (they enrol again where a tree asks)', access: write, params: IdParams,
    response: z.void(), status: 204,
    async run({ db, tenant }, { params }) {
      const user = await userOr404(db, tenant, params.id);
      if (!(await deleteTotp(db, tenant, user.id))) throw notFound('This user has no TOTP authenticator.');
    },
  }),
  defineOperation({
    id: 'users.remove-passkey', method: 'DELETE', path: '/users/{id}/passkeys/{credentialId}', scope: 'tenant', tag: 'users',
    summary: 'Remove one of the user\'s passkeys', access: write,
    params: IdParams.extend({ credentialId: z.string().min(1).max(1400) }), response: z.void(), status: 204,
    async run(ctx, { params }) {
      const user = await userOr404(ctx.db, ctx.tenant, params.id);
      if (!(await deleteCredential(ctx.db, ctx.tenant, user.id, params.credentialId))) throw notFound('This user has no such passkey.');
      ctx.note({ data: { passkey: params.credentialId.slice(0, 100) } });
    },
  }),
];
