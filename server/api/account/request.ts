// Small helpers every account resource shares: the signed-in user of the request, a body or path
// parameter checked by a zod schema (400 `invalid_request` naming the field otherwise), and the
// refusal of a change that runs as an account journey instead (fresh proof first).
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { HttpError } from '../../http-error.ts';
import type { AccountPrincipal } from './authenticate.ts';

export const accountOf = (res: Response): AccountPrincipal => res.locals.account as AccountPrincipal;

/** @throws HttpError 400 when `value` does not match `schema`. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, 'invalid_request', result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return result.data;
}

/** A path parameter as a bounded string. */
export const param = (req: Request, name: string, max = 1400): string => {
  const value = String(req.params[name] ?? '');
  if (value.length === 0 || value.length > max) throw new HttpError(404, 'not_found', 'No such item.');
  return value;
};

/** 403 for a change that is an account journey (its tree proves it is the user first), not a call. */
export const journeyRequired = (message: string) => new HttpError(403, 'journey_required', message);
