// Serves the login UI: static files under /ui/assets, and per tenant the pages that start a
// journey (login, signup, recovery), show one (journey/{id}) or use a mailed link (link). All are
// the same HTML; none changes state on GET: the script starts a journey, or uses a link, with a
// POST after the page has loaded (a link's token is in the URL fragment, never sent to us).
// The tenant's branding reaches the page as data and a stylesheet it loads (branding.json,
// branding.css: the CSP allows no inline style); a logo on another https origin is allowed as an
// image source on the tenant's pages only.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import express, { Router } from 'express';
import type { Db } from '../core/infra/db.ts';
import { brandingCss } from '../core/tenants/branding-css.ts';
import { getBranding } from '../core/tenants/tenant-settings.ts';
import { HttpError } from './http-error.ts';
import { contentSecurityPolicy } from './middleware/security-headers.ts';

const UI_DIR = new URL('../ui/login/', import.meta.url);
/** @simplewebauthn/browser's ES modules, served to the login page's passkey ceremony (ui/login/assets/webauthn.js). */
const WEBAUTHN_BROWSER = resolve(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '../esm');
const JOURNEY_ID = /^[A-Za-z0-9_-]{22,64}$/;

export function uiAssets(): Router {
  const router = Router();
  const noAsset: express.RequestHandler = (_req, _res, next) => next(new HttpError(404, 'not_found', 'No such asset.'));
  router.use('/ui/assets/vendor/simplewebauthn-browser',
    (req, res, next) => (/^\/[A-Za-z0-9_/-]+\.js$/.test(req.path) ? next() : noAsset(req, res, next)),
    express.static(WEBAUTHN_BROWSER, { index: false, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }),
    noAsset);
  router.use('/ui/assets', express.static(new URL('assets/', UI_DIR).pathname, {
    fallthrough: false, index: false,
    // Revalidate (ETag) on every load so a deploy never mixes old and new UI modules.
    setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
  }));
  return router;
}

/** The origin of an absolute logo URL (relative ones are 'self' already). */
function logoOrigin(logoUrl: string | null): string | undefined {
  return logoUrl && /^https:\/\//.test(logoUrl) ? new URL(logoUrl).origin : undefined;
}

export function uiPages(db: Db): Router {
  const router = Router({ mergeParams: true });
  let page: string | undefined;
  const send: express.RequestHandler = async (req, res) => {
    page ??= await readFile(new URL('index.html', UI_DIR), 'utf8');
    const origin = logoOrigin((await getBranding(db, req.tenant!.id)).logoUrl);
    if (origin) res.setHeader('Content-Security-Policy', contentSecurityPolicy([origin]));
    res.type('html').send(page);
  };
  router.get('/ui/branding.json', async (req, res) => {
    const branding = await getBranding(db, req.tenant!.id);
    const c = branding.colors;
    res.set('Cache-Control', 'no-cache').json({
      displayName: req.tenant!.name, logoUrl: branding.logoUrl, stylesheet: Boolean(c.primary || c.background || c.text),
    });
  });
  router.get('/ui/branding.css', async (req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/css').send(brandingCss(await getBranding(db, req.tenant!.id)));
  });
  for (const name of ['login', 'signup', 'recovery', 'link']) router.get(`/ui/${name}`, send);
  router.get('/ui/journey/:id', (req, res, next) => (JOURNEY_ID.test(String(req.params.id)) ? send(req, res, next) : next()));
  return router;
}
