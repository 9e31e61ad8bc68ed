// An authorization request's login_hint with control characters (a NUL byte above all, which
// PostgreSQL refuses in the stored interaction) is dropped before the provider sees it: the hint
// is optional in OIDC, and an unusable one is ignored rather than failing the request.
import type { RequestHandler } from 'express';
import { isCleanText } from '../../../core/infra/clean-text.ts';

export const dropUnusableHint: RequestHandler = (req, _res, next) => {
  const url = new URL(req.url, 'http://query.invalid');
  const hints = url.searchParams.getAll('login_hint');
  if (hints.some((hint) => !isCleanText(hint))) {
    url.searchParams.delete('login_hint');
    // The provider finds its mount path as originalUrl minus url: both change alike.
    const mount = req.originalUrl.endsWith(req.url) ? req.originalUrl.slice(0, req.originalUrl.length - req.url.length) : '';
    req.url = `${url.pathname}${url.search}`;
    req.originalUrl = `${mount}${req.url}`;
  }
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body.login_hint === 'string' && !isCleanText(body.login_hint)) delete body.login_hint;
  next();
};
