// How the signed-in user signs in, and their passkeys:
//   GET    /credentials                 { password: { set, updatedAt }, totp: { enrolled, enrolledAt }, passkeys: [...] }
//   PATCH  /passkeys/{credentialId}     { name } → the passkey
//   DELETE /passkeys/{credentialId}     403 journey_required: removing a factor needs fresh proof
// Rules: never a hash, TOTP secret or public key in an answer; a name is one line of 1-64
// characters; only the user's own passkeys can be named (another's id is a 404). A new password,
// an authenticator app, a new passkey and removing one are journeys (trees account-*, removing:
// account-passkey-remove naming the passkey), not calls here. Renaming is an audit event.
import { Router } from 'express';
import { z } from 'zod';
import { totpEnrolledAt } from '../../../core/accounts/totp.ts';
import { passwordSetAt } from '../../../core/accounts/users.ts';
import {
  listCredentials, PASSKEY_NAME, renameCredential, type StoredCredential,
} from '../../../core/accounts/webauthn-credentials.ts';
import { recordAudit } from '../../../core/infra/audit.ts';
import type { Db } from '../../../core/infra/db.ts';
import { notFound } from '../../http-error.ts';
import { jsonBody } from '../../middleware/json-body.ts';
import { accountOf, journeyRequired, param, parse } from './request.ts';

const Rename = z.object({ name: z.string().trim().regex(PASSKEY_NAME, 'one line of 1 to 64 characters') }).strict();

const passkeyJson = (p: StoredCredential) => ({
  id: p.id, name: p.name, deviceType: p.deviceType, backedUp: p.backedUp, transports: p.transports,
  createdAt: p.createdAt, lastUsedAt: p.lastUsedAt,
});

export function credentialRoutes(db: Db): Router {
  const router = Router({ mergeParams: true });
  router.get('/credentials', async (_req, res) => {
    const { tenant, userId } = accountOf(res);
    const [password, totp, passkeys] = await Promise.all([
      passwordSetAt(db, tenant, userId), totpEnrolledAt(db, tenant, userId), listCredentials(db, tenant, userId),
    ]);
    res.json({
      password: { set: password !== undefined, updatedAt: password ?? null },
      totp: { enrolled: totp !== undefined, enrolledAt: totp ?? null },
      passkeys: passkeys.map(passkeyJson),
    });
  });
  router.patch('/passkeys/:id', jsonBody, async (req, res) => {
    const { tenant, userId } = accountOf(res);
    const id = param(req, 'id');
    const { name } = parse(Rename, req.body);
    if (!(await renameCredential(db, tenant, userId, id, name))) throw notFound('You have no passkey with this id.');
    await recordAudit(db, { tenant, type: 'account.passkey_renamed', subject: userId, data: { credentialId: id } });
    const passkey = (await listCredentials(db, tenant, userId)).find((p) => p.id === id)!;
    res.json(passkeyJson(passkey));
  });
  router.delete('/passkeys/:id', () => {
    throw journeyRequired('Removing a passkey needs fresh proof that it is you: start an account journey on the tree account-passkey-remove.');
  });
  return router;
}
