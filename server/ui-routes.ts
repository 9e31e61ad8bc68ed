// Serves the login UI: static files under /ui/assets, and per tenant the pages that start a
// journey (login, signup, recovery), show one (journey/{id}) or use a mailed link (link). All are
// the same HTML; none changes state on GET: the script starts a journey, or uses a link, with a
// POST after the page has loaded (a link's token is in the URL fragment, never sent to us).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import express, { Router } from 'express';
import { HttpError } from './http-error.ts';

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

export function uiPages(): Router {
  const router = Router({ mergeParams: true });
  let page: string | undefined;
  const send: express.RequestHandler = async (_req, res) => {
    page ??= await readFile(new URL('index.html', UI_DIR), 'utf8');
    res.type('html').send(page);
  };
  for (const name of ['login', 'signup', 'recovery', 'link']) router.get(`/ui/${name}`, send);
  router.get('/ui/journey/:id', (req, res, next) => (JOURNEY_ID.test(String(req.params.id)) ? send(req, res, next) : next()));
  return router;
}
