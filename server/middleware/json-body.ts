// JSON bodies only, at most 64 KiB. Requiring application/json also keeps cross-site HTML forms
// out: a browser cannot send that content type to another origin without a CORS preflight.
import express, { type RequestHandler } from 'express';
import { HttpError } from '../http-error.ts';

const parse = express.json({ limit: '64kb', strict: true, type: () => true });

export const jsonBody: RequestHandler = (req, res, next) => {
  if (!req.is('application/json')) return next(new HttpError(415, 'unsupported_media_type', 'Send a JSON body (Content-Type: application/json).'));
  parse(req, res, (err?: any) => {
    if (!err) return next();
    if (err.type === 'entity.too.large') return next(new HttpError(400, 'body_too_large', 'The request body is larger than 64 KiB.'));
    return next(new HttpError(400, 'invalid_json', 'The request body is not valid JSON.'));
  });
};
