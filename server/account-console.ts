// Serves the account console (ui/account): one static page at /t/{tenant}/account/ and its
// modules under /t/{tenant}/account/assets (it also imports the login UI's modules from
// /ui/assets, e.g. the step renderer). The page signs in through the tenant's provider as the
// built-in `tessera-account` client (core/oidc/builtin-clients.ts), then calls only the account
// API and the Journey API; nothing here reads or changes data.
import express, { Router } from 'express';
import { readFile } from 'node:fs/promises';
import { HttpError } from './http-error.ts';

const DIR = new URL('../ui/account/', import.meta.url);

/** Mounted in the tenant router (/t/:tenant). */
export function accountConsoleRoutes(): Router {
  // Strict: /account and /account/ are different routes (the first redirects to the second).
  const router = Router({ mergeParams: true, strict: true });
  let page: string | undefined;
  router.get('/account', (req, res) => res.redirect(302, `/t/${encodeURIComponent(req.tenant!.id)}/account/`));
  router.get('/account/', async (_req, res) => {
    page ??= await readFile(new URL('index.html', DIR), 'utf8');
    res.type('html').send(page);
  });
  router.use('/account/assets', express.static(new URL('assets/', DIR).pathname, {
    fallthrough: false, index: false,
    setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
  }));
  router.use('/account', (_req, _res, next) => next(new HttpError(404, 'not_found', 'No such page.')));
  return router;
}
