// Serves the admin console (ui/admin): one static page at /admin/ and its modules under
// /admin/assets. The page signs in through a tenant's OIDC provider as the built-in
// `tessera-admin` client (core/oidc/builtin-clients.ts) and then calls only the management API;
// nothing here reads or changes data.
// The page's CSP is the strict one with one widening: images from any https origin, because the
// branding preview shows the logo an admin is typing (of any tenant, before it is saved), as the
// login page will from that origin. Scripts, styles and connections stay 'self'.
import express, { Router } from 'express';
import { readFile } from 'node:fs/promises';
import { HttpError } from './http-error.ts';
import { contentSecurityPolicy } from './middleware/security-headers.ts';

const PAGE_CSP = contentSecurityPolicy(['https:']);

const DIR = new URL('../ui/admin/', import.meta.url);

export function adminConsoleRoutes(): Router {
  const router = Router();
  let page: string | undefined;
  // Express matches /admin and /admin/ alike: the page lives at /admin/ (its redirect URI).
  router.get('/admin', async (req, res) => {
    if (!req.path.endsWith('/')) return res.redirect(302, `/admin/${req.url.slice(req.path.length)}`);
    page ??= await readFile(new URL('index.html', DIR), 'utf8');
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.type('html').send(page);
  });
  router.use('/admin/assets', express.static(new URL('assets/', DIR).pathname, {
    fallthrough: false, index: false,
    setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
  }));
  router.use('/admin', (_req, _res, next) => next(new HttpError(404, 'not_found', 'No such page.')));
  return router;
}
