// Serves the login UI: static files under /ui/assets, and two pages per tenant. Neither page
// changes state on GET: the login page's script starts the journey with a POST.
import { readFile } from 'node:fs/promises';
import express, { Router } from 'express';

const UI_DIR = new URL('../ui/login/', import.meta.url);
const JOURNEY_ID = /^[A-Za-z0-9_-]{22,64}$/;

export function uiAssets(): Router {
  const router = Router();
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
  router.get('/ui/login', send);
  router.get('/ui/journey/:id', (req, res, next) => (JOURNEY_ID.test(String(req.params.id)) ? send(req, res, next) : next()));
  return router;
}
