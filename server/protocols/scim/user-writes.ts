// What a SCIM User means for a Tessera user, as management operations: the create body, and for a
// replace or patch only what changed (users.update), a new password (users.set-password) and the
// externalId. A replace clears the profile attributes SCIM maps that the client left out, and
// never touches the others.
import type { User } from '../../../core/accounts/users.ts';
import { rolesOfUser } from '../../../core/admin/roles.ts';
import { userNameTaken } from '../../../core/scim/scim-store.ts';
import { ScimError } from '../../../core/scim/scim-error.ts';
import { SCIM_PROFILE_ATTRIBUTES, type UserFields } from '../../../core/scim/user-mapper.ts';
import { checkPasswordPolicy } from '../../api/admin/resources/user-json.ts';
import { callAdmin, saveExternalId, type ScimCaller } from './admin-calls.ts';
import { fromHttpError } from './scim-http.ts';
import { HttpError } from '../../http-error.ts';

export function createBody(f: UserFields): Record<string, unknown> {
  const attributes = Object.fromEntries(Object.entries(f.attributes).filter((e): e is [string, string] => e[1] !== null));
  return {
    username: f.username,
    ...(f.email ? { email: f.email } : {}),
    ...(f.name ? { name: f.name } : {}),
    status: f.active === false ? 'disabled' : 'active',
    ...(f.password !== undefined ? { password: f.password } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
  };
}

/** The users.update body that makes `user` say what `f` says (empty when nothing differs). */
export function updateBody(user: User, f: UserFields): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (f.username !== user.username) body.username = f.username;
  if ((f.email?.toLowerCase() ?? null) !== user.email) body.email = f.email;
  if (f.name !== user.name) body.name = f.name;
  if (f.active !== undefined && f.active !== (user.status === 'active')) body.status = f.active ? 'active' : 'disabled';
  const attributes: Record<string, string | null> = {};
  for (const key of SCIM_PROFILE_ATTRIBUTES) {
    const want = f.attributes[key] ?? null;
    const have = user.attributes[key] ?? null;
    if (want !== have && !(want === null && have === null)) attributes[key] = want;
  }
  if (Object.keys(attributes).length) body.attributes = attributes;
  return body;
}

const taken = () => new ScimError(409, 'A user with this userName already exists (userName is case-insensitive).', 'uniqueness');

/** Creates the user; returns its id. @throws ScimError for the operation's refusals. */
export async function createUserFrom(caller: ScimCaller, f: UserFields): Promise<string> {
  if (await userNameTaken(caller.deps.db, caller.tenant, f.username)) throw taken();
  const created = await callAdmin<{ id: string }>(caller, 'users.create', { body: createBody(f) });
  if (f.externalId) await saveExternalId(caller, 'User', created.id, f.externalId);
  return created.id;
}

/**
 * A SCIM token reaches one tenant; a super-admin reaches every tenant. Changing one (a password, an
 * email that receives reset links) would lend the token that reach, so SCIM leaves them alone.
 * @throws ScimError 403.
 */
export async function checkNotSuperAdmin(caller: ScimCaller, user: User): Promise<void> {
  if ((await rolesOfUser(caller.deps.db, caller.tenant, user.id)).includes('super-admin')) {
    throw new ScimError(403, 'This user holds the super-admin role: SCIM does not change them (use the management API as a super-admin).');
  }
}

/** Brings the user in line with `f`. @throws ScimError for the operations' refusals. */
export async function updateUserFrom(caller: ScimCaller, user: User, f: UserFields, externalId: string | undefined): Promise<void> {
  await checkNotSuperAdmin(caller, user);
  // A password the policy refuses is refused before anything else changes.
  if (f.password !== undefined) {
    await checkPasswordPolicy(caller.deps.db, caller.tenant, f.password, f.email ?? user.email).catch((err: unknown) => {
      throw err instanceof HttpError ? fromHttpError(err) : err;
    });
  }
  const body = updateBody(user, f);
  if (body.username !== undefined && (await userNameTaken(caller.deps.db, caller.tenant, f.username, user.id))) throw taken();
  if (Object.keys(body).length) await callAdmin(caller, 'users.update', { params: { id: user.id }, body });
  if (f.password !== undefined) await callAdmin(caller, 'users.set-password', { params: { id: user.id }, body: { password: f.password } });
  if ((externalId ?? null) !== f.externalId) await saveExternalId(caller, 'User', user.id, f.externalId);
}
