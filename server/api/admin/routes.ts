// The management API: every operation of catalogue.ts bound under `/t/{tenant}/api/admin`
// (tenant scope) or `/api/admin` (all tenants), behind authenticate.ts; the OpenAPI document
// at `/api/admin/openapi.json` is public, like any API's documentation.
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../../core/infra/config.ts';
import type { Db } from '../../../core/infra/db.ts';
import { authenticateAdmin } from './authenticate.ts';
import { CATALOGUE, OPERATIONS } from './catalogue.ts';
import { bindOperations } from './http-binding.ts';
import type { AdminDeps } from './operation.ts';
import { openApiDocument } from './openapi.ts';

interface Deps { db: Db; temporal: Client; config: Config }

const adminDeps = ({ db, temporal, config }: Deps): AdminDeps => ({ db, config, temporal: async () => temporal });

/** Mounted at /t/:tenant/api/admin, after the tenant is loaded. */
export function adminRoutes(deps: Deps): Router {
  const router = Router({ mergeParams: true });
  router.use(authenticateAdmin(deps.db, deps.config));
  router.use(bindOperations(OPERATIONS, 'tenant', adminDeps(deps), CATALOGUE));
  return router;
}

/** Mounted at /api/admin. */
export function globalAdminRoutes(deps: Deps): Router {
  const router = Router();
  let document: unknown;
  router.get('/openapi.json', (_req, res) => {
    document ??= openApiDocument(OPERATIONS, deps.config.publicUrl);
    res.set('Cache-Control', 'no-cache').json(document);
  });
  router.use(authenticateAdmin(deps.db, deps.config));
  router.use(bindOperations(OPERATIONS, 'global', adminDeps(deps), CATALOGUE));
  return router;
}
