// A refused legacy request: a 400/401 in JSON (`{ error: { code, message } }`, as everywhere) or,
// for a browser that asked for HTML, a small page saying the same. Never a redirect, and the
// message never echoes what the caller sent.
import type { Request, Response } from 'express';
import { escapeHtml, pageHtml } from '../../html-page.ts';
import { HttpError } from '../../http-error.ts';

/** Answers a refused browser-facing request; HTML when the client prefers it, else JSON. */
export function refuse(req: Request, res: Response, status: number, code: string, message: string): void {
  if (req.accepts(['json', 'html']) === 'html') {
    res.status(status).type('html').send(pageHtml({ title: 'This sign-in link cannot be used', body: `<p>${escapeHtml(message)}</p>` }));
    return;
  }
  throw new HttpError(status, code, message);
}
