// Upstream accounts (an IdP's subject) linked to the signed-in user, and the terms they accepted:
//   GET    /linked-accounts          { items: [{ idp, name, email, createdAt, lastLoginAt }], available: [{ idp, name }] }
//          (available: the tenant's enabled IdPs without a link of the user, which the console
//          links through an `account` journey on the tree account-link)
//   DELETE /linked-accounts/{idp}    403 journey_required: unlinking needs fresh proof
//   GET    /terms                    { items: [{ version, title, url, acceptedAt, current }] }
// Rules: the upstream subject is not shown (it identifies the user elsewhere); unlinking is an
// `account` journey on the tree account-unlink naming the IdP (activities/modules/idp-unlink.ts,
// which refuses to unlink the only way the user can sign in).
import { Router } from 'express';
import { currentTerms, listUserAcceptances } from '../../../core/accounts/terms.ts';
import { listUserLinks } from '../../../core/federation/federated-identities.ts';
import { listIdpsPage } from '../../../core/federation/identity-providers.ts';
import type { Db } from '../../../core/infra/db.ts';
import { accountOf, journeyRequired } from './request.ts';

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
  router.delete('/linked-accounts/:idp', () => {
    throw journeyRequired('Unlinking an account needs fresh proof that it is you: start an account journey on the tree account-unlink.');
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
