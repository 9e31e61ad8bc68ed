// JSON bodies only, at most 64 KiB and nested at most MAX_DEPTH levels (a body of ten thousand
// nested arrays is refused here, with 400, rather than overflowing a stack further on). Requiring
// application/json also keeps cross-site HTML forms out: a browser cannot send that content type
// to another origin without a CORS preflight.
import express, { type RequestHandler } from 'express';
import { HttpError } from '../http-error.ts';

const parse = express.json({ limit: '64kb', strict: true, type: () => true });

/** No request body of Tessera's APIs nests deeper than this (a tree with its node configs: ~6). */
export const MAX_DEPTH = 32;

/** Whether `value` nests objects or arrays deeper than `max` (iterative: deep input cannot overflow it). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

export const jsonBody: RequestHandler = (req, res, next) => {
  if (!req.is('application/json')) return next(new HttpError(415, 'unsupported_media_type', 'Send a JSON body (Content-Type: application/json).'));
  parse(req, res, (err?: any) => {
    if (!err) {
      if (nestsDeeperThan(req.body, MAX_DEPTH)) return next(new HttpError(400, 'too_deep', `The request body nests deeper than ${MAX_DEPTH} levels.`));
      return next();
    }
    if (err.type === 'entity.too.large') return next(new HttpError(400, 'body_too_large', 'The request body is larger than 64 KiB.'));
    return next(new HttpError(400, 'invalid_json', 'The request body is not valid JSON.'));
  });
};
