// Applications the signed-in user let in:
//   GET    /applications               { items: [{ clientId, name, scopes, claims, consented, grants, lastGrantAt }] }
//   DELETE /applications/{clientId}    204: consent withdrawn, grants and their tokens revoked
// Rules: Tessera's own consoles are not listed (they are part of the service, not apps given
// consent) and cannot be revoked here; an application without consent or grant of this user is a
// 404; the list never carries a token, secret or another user's data.
import { Router } from 'express';
import { recordAudit } from '../../../core/infra/audit.ts';
import type { Db } from '../../../core/infra/db.ts';
import { isBuiltinClientId } from '../../../core/oidc/builtin-clients.ts';
import { getOidcClient } from '../../../core/oidc/oidc-clients.ts';
import { notFound } from '../../http-error.ts';
import { listUserApplications, revokeUserApplication } from '../../protocols/oidc/consent-store.ts';
import { accountOf, param } from './request.ts';

export function applicationRoutes(db: Db): Router {
  const router = Router({ mergeParams: true });
  router.get('/applications', async (_req, res) => {
    const { tenant, userId } = accountOf(res);
    const apps = (await listUserApplications(db, tenant, userId)).filter((a) => !isBuiltinClientId(a.clientId));
    const items = await Promise.all(apps.map(async (a) => {
      const metadata = (await getOidcClient(db, tenant, a.clientId))?.metadata;
      return {
        clientId: a.clientId, name: metadata?.client_name ?? a.clientId,
        scopes: a.consent?.scopes ?? [], claims: a.consent?.claims ?? [],
        consented: a.consent !== undefined, grants: a.grants, lastGrantAt: a.lastGrantAt ?? null,
      };
    }));
    res.json({ items });
  });
  router.delete('/applications/:clientId', async (req, res) => {
    const { tenant, userId } = accountOf(res);
    const clientId = param(req, 'clientId', 200);
    if (isBuiltinClientId(clientId) || !(await revokeUserApplication(db, tenant, userId, clientId))) {
      throw notFound('You have given this application nothing to revoke.');
    }
    await recordAudit(db, { tenant, type: 'account.application_revoked', subject: userId, data: { clientId } });
    res.status(204).end();
  });
  return router;
}
