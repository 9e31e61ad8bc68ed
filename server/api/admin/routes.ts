// The admin API of a tenant (/t/{tenant}/api/admin): every route needs the tenant's admin bearer
// token (admin-auth.ts), checked once here before any of them runs.
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { adminAuth } from './admin-auth.ts';
import { approvalRoutes } from './approvals.ts';
import { invitationAdminRoutes } from './invitations.ts';

export function adminRoutes({ db, temporal, config }: { db: Db; temporal: Client; config: Config }): Router {
  const router = Router({ mergeParams: true });
  router.use(adminAuth(db));
  router.use('/approvals', approvalRoutes({ db, temporal }));
  router.use('/invitations', invitationAdminRoutes({ db, temporal, config }));
  return router;
}
