// The signed-in user's profile:
//   GET   /profile   { username, email, emailVerified, name, attributes: { key: value }, attributeKeys }
//   PATCH /profile   { name?, attributes?: { key: value | null } } → the profile
// Rules: only the name and the tenant's profile attributes (settings.profile.required) can be
// changed here; the username is the admin's, and the email changes only through a journey that
// proves the new address (a body naming it is refused); values are one line, bounded.
import { Router } from 'express';
import { z } from 'zod';
import { getRequiredAttributes } from '../../../core/accounts/profile.ts';
import { getUser, updateUser, UserInputError, type User } from '../../../core/accounts/users.ts';
import type { Db } from '../../../core/infra/db.ts';
import { HttpError } from '../../http-error.ts';
import { jsonBody } from '../../middleware/json-body.ts';
import { accountOf, parse } from './request.ts';

const OneLine = z.string().trim().min(1).max(200).regex(/^[^\p{Cc}]*$/u, 'one line of text');

const ProfilePatch = z.object({
  name: OneLine.nullable().optional(),
  attributes: z.record(z.string().max(32), OneLine.nullable()).optional()
    .refine((a) => !a || Object.keys(a).length <= 20, 'at most 20 attributes'),
}).strict();

function profileJson(user: User, keys: string[]) {
  return {
    username: user.username, email: user.email, emailVerified: user.emailVerified, name: user.name,
    attributes: Object.fromEntries(keys.map((k) => [k, user.attributes[k] ?? null])), attributeKeys: keys,
  };
}

export function profileRoutes(db: Db): Router {
  const router = Router({ mergeParams: true });
  router.get('/profile', async (_req, res) => {
    const { tenant, userId } = accountOf(res);
    const [user, keys] = await Promise.all([getUser(db, tenant, userId), getRequiredAttributes(db, tenant)]);
    res.json(profileJson(user!, keys));
  });
  router.patch('/profile', jsonBody, async (req, res) => {
    const { tenant, userId } = accountOf(res);
    if (req.body && typeof req.body === 'object' && 'email' in req.body) {
      throw new HttpError(400, 'email_needs_journey', 'Your email address changes through a confirmation sent to the new address, not here.');
    }
    const patch = parse(ProfilePatch, req.body);
    const keys = await getRequiredAttributes(db, tenant);
    const unknown = Object.keys(patch.attributes ?? {}).filter((k) => !keys.includes(k));
    if (unknown.length > 0) throw new HttpError(400, 'invalid_request', `attributes: not a profile attribute of this service: ${unknown.join(', ')}`);
    let user: User | undefined;
    try {
      user = await updateUser(db, tenant, userId, {
        ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.attributes ? { attributes: patch.attributes } : {}),
      });
    } catch (err) {
      if (err instanceof UserInputError) throw new HttpError(400, 'invalid_request', err.message);
      throw err;
    }
    res.json(profileJson(user!, keys));
  });
  return router;
}
