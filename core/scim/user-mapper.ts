// A Tessera user as a SCIM User (RFC 7643 §4.1) and back.
//   userName ↔ username · displayName and name.formatted ↔ name · emails ↔ email (one: the primary
//   or first; shown as type work, primary) · active ↔ status (active; disabled and pending are
//   inactive) · password → the user's password (never shown) · externalId ↔ scim_external_ids ·
//   groups ← memberships (read-only) · the rest ↔ profile attributes (PROFILE below), so the
//   OpenID Connect claims (given_name, family_name, locale, zoneinfo, phone_number, address…) and
//   SCIM show the same values.
import type { User } from '../accounts/users.ts';
import { USER_SCHEMA } from './schemas.ts';
import { complex, flag, primary, text } from './scim-values.ts';
import { invalidValue } from './scim-error.ts';
import { withVersion } from './version.ts';

type Json = Record<string, unknown>;

/** Top-level SCIM attributes kept as a profile attribute of the same meaning. */
const TOP: [scim: string, attribute: string][] = [
  ['nickName', 'nickname'], ['profileUrl', 'profile'], ['title', 'title'], ['userType', 'user_type'],
  ['preferredLanguage', 'preferred_language'], ['locale', 'locale'], ['timezone', 'zoneinfo'],
];
const NAME: [scim: string, attribute: string][] = [
  ['givenName', 'given_name'], ['familyName', 'family_name'], ['middleName', 'middle_name'],
  ['honorificPrefix', 'honorific_prefix'], ['honorificSuffix', 'honorific_suffix'],
];
const ADDRESS: [scim: string, attribute: string][] = [
  ['formatted', 'address'], ['streetAddress', 'street_address'], ['locality', 'locality'], ['region', 'region'],
  ['postalCode', 'postal_code'], ['country', 'country'],
];
/** Every profile attribute SCIM writes: a replace clears those the client left out, and no other. */
export const SCIM_PROFILE_ATTRIBUTES = [...TOP, ...NAME, ...ADDRESS, ['phoneNumbers', 'phone_number']].map(([, a]) => a!);

export interface UserView {
  user: User;
  groups: { id: string; name: string }[];
  externalId?: string;
}

/** The SCIM representation, meta.version included. */
export function userResource(view: UserView, base: string): Json {
  const { user } = view;
  const a = user.attributes;
  const name: Json = {};
  if (user.name) name.formatted = user.name;
  for (const [scim, attribute] of NAME) if (a[attribute]) name[scim] = a[attribute];
  const address: Json = {};
  for (const [scim, attribute] of ADDRESS) if (a[attribute]) address[scim] = a[attribute];
  const resource: Json & { meta: Json } = {
    schemas: [USER_SCHEMA],
    id: user.id,
    ...(view.externalId ? { externalId: view.externalId } : {}),
    userName: user.username,
    ...(Object.keys(name).length ? { name } : {}),
    ...(user.name ? { displayName: user.name } : {}),
    ...Object.fromEntries(TOP.filter(([, attribute]) => a[attribute]).map(([scim, attribute]) => [scim, a[attribute]])),
    active: user.status === 'active',
    ...(user.email ? { emails: [{ value: user.email, type: 'work', primary: true }] } : {}),
    ...(a.phone_number ? { phoneNumbers: [{ value: a.phone_number, type: 'work', primary: true }] } : {}),
    ...(Object.keys(address).length ? { addresses: [{ ...address, type: 'work', primary: true }] } : {}),
    ...(view.groups.length ? { groups: view.groups.map((g) => ({ value: g.id, $ref: `${base}/Groups/${g.id}`, display: g.name, type: 'direct' })) } : {}),
    meta: {
      resourceType: 'User', created: user.createdAt.toISOString(), lastModified: user.updatedAt.toISOString(),
      location: `${base}/Users/${user.id}`,
    },
  };
  return withVersion(resource);
}

/** What a SCIM User says about a Tessera user: every mapped field, null where the client has none. */
export interface UserFields {
  username: string;
  email: string | null;
  name: string | null;
  /** Absent: the client did not say (a new user is active). */
  active?: boolean;
  password?: string;
  externalId: string | null;
  attributes: Record<string, string | null>;
}

/**
 * Reads a client's User. With `previous` (the representation before a PATCH), a changed
 * name.formatted counts even though the unchanged displayName would otherwise win.
 * @throws ScimError 400 invalidValue for a missing userName or a value of the wrong type.
 */
export function userFields(resource: Json, previous?: Json): UserFields {
  const username = text(resource, 'userName');
  if (!username) throw invalidValue('userName is required');
  const name = complex(resource, 'name');
  const display = text(resource, 'displayName');
  const formatted = text(name, 'formatted', 'name.formatted');
  let fullName = display ?? formatted ?? null;
  if (previous && formatted !== undefined && formatted !== text(complex(previous, 'name'), 'formatted') && display === text(previous, 'displayName')) {
    fullName = formatted;
  }
  const attributes: Record<string, string | null> = {};
  for (const [scim, attribute] of TOP) attributes[attribute] = text(resource, scim) ?? null;
  for (const [scim, attribute] of NAME) attributes[attribute] = text(name, scim, `name.${scim}`) ?? null;
  const address = primary(resource, 'addresses') ?? {};
  for (const [scim, attribute] of ADDRESS) attributes[attribute] = text(address, scim, `addresses.${scim}`) ?? null;
  // A formatted address may span lines (RFC 7643 §8.2); profile attributes are one line.
  if (attributes.address) attributes.address = attributes.address.replace(/\s*[\r\n]+\s*/g, ', ');
  attributes.phone_number = text(primary(resource, 'phoneNumbers'), 'value', 'phoneNumbers.value') ?? null;
  const active = flag(resource, 'active');
  const password = resource.password === undefined ? undefined : resource.password;
  if (password !== undefined && typeof password !== 'string') throw invalidValue('password must be a string');
  return {
    username,
    email: text(primary(resource, 'emails'), 'value', 'emails.value') ?? null,
    name: fullName,
    ...(active !== undefined ? { active } : {}),
    ...(password !== undefined ? { password } : {}),
    externalId: text(resource, 'externalId') ?? null,
    attributes,
  };
}
