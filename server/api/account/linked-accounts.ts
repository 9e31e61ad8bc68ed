// Upstream accounts (an IdP's subject) linked to the signed-in user, and the terms they accepted:
//   GET    /linked-accounts          { items: [{ idp, name, email, createdAt, lastLoginAt }], available: [{ idp, name }] }
//          (available: the tenant's enabled IdPs without a link of the user, which the console
//          links through an `account` journey on the tree account-link)
//   DELETE /linked-accounts/{idp}    204
//   GET    /terms                    { items: [{ version, title, url, acceptedAt, current }] }
// Rules: the upstream subject is not shown (it identifies the user elsewhere); unlinking the only
// way the user can sign in (no password, no passkey, one link) is refused with 409, so nobody
// locks themselves out.
import { Router } from 'express';
import { currentTerms, listUserAcceptances } from '../../../core/accounts/terms.ts';
import { passwordSetAt } from '../../../core/accounts/users.ts';
import { listCredentials } from '../../../core/accounts/webauthn-credentials.ts';
import { listUserLinks, unlinkIdentity } from '../../../core/federation/federated-identities.ts';
import { listIdpsPage } from '../../../core/federation/identity-providers.ts';
import { recordAudit } from '../../../core/infra/audit.ts';
import type { Db } from '../../../core/infra/db.ts';
import { HttpError, notFound } from '../../http-error.ts';
import { accountOf, param } from './request.ts';

export function linkedAccountRoutes(db: Db): Router {
  const router = Router({ mergeParams: true });
  router.get('/linked-accounts', async (_req, res) => {
    const { tenant, userId } = accountOf(res);
    const [links, idps] = await Promise.all([listUserLinks(db, tenant, userId), listIdpsPage(db, tenant, { limit: 200 })]);
    const nameOf = (alias: string) => idps.find((i) => i.alias === alias)?.displayName ?? alias;
    const linked = new Set(links.map((l) => l.idp));
    res.json({
      items: links.map((l) => ({ idp: l.idp, name: nameOf(l.idp), email: l.email, createdAt: l.createdAt, lastLoginAt: l.lastLoginAt })),
      available: idps.filter((i) => i.enabled && !linked.has(i.alias)).map((i) => ({ idp: i.alias, name: i.displayName })),
    });
  });
  router.delete('/linked-accounts/:idp', async (req, res) => {
    const { tenant, userId } = accountOf(res);
    const idp = param(req, 'idp', 100);
    const [links, password, passkeys] = await Promise.all([
      listUserLinks(db, tenant, userId), passwordSetAt(db, tenant, userId), listCredentials(db, tenant, userId),
    ]);
    if (!links.some((l) => l.idp === idp)) throw notFound('No account of this provider is linked to yours.');
    if (links.length === 1 && password === undefined && passkeys.length === 0) {
      throw new HttpError(409, 'last_sign_in_method', 'This is the only way you can sign in. Set a password or add a passkey first.');
    }
    await unlinkIdentity(db, tenant, idp, userId);
    await recordAudit(db, { tenant, type: 'account.idp_unlinked', subject: userId, data: { idp } });
    res.status(204).end();
  });
  router.get('/terms', async (_req, res) => {
    const { tenant, userId } = accountOf(res);
    const [accepted, current] = await Promise.all([listUserAcceptances(db, tenant, userId), currentTerms(db, tenant)]);
    res.json({
      items: accepted.map((t) => ({ version: t.version, title: t.title, url: t.url, acceptedAt: t.acceptedAt, current: t.version === current?.version })),
    });
  });
  return router;
}
