// A user's OpenID Connect standard claims (OIDC Core §5.1) and groups, read in one query. What the
// scopes then release is the protocol's business; this only says what the user has.
// Sources: users (username → preferred_username, name, email, email_verified_at, updated_at), the
// profile attributes (core/accounts/profile.ts: given_name, family_name, …, phone_number, and the address
// parts `address` (formatted), street_address, locality, region, postal_code, country), and
// user_groups. Only string attribute values are used; empty ones are left out. Nothing a user can
// type makes a claim "verified": email_verified comes from the verification flow only.
import type { PendingQuery, Row } from 'postgres';
import type { Db } from '../infra/db.ts';
import type { UserStatus } from './users.ts';

/** Profile attributes released as the claim of the same name. */
const STRING_CLAIMS = [
  'given_name', 'family_name', 'middle_name', 'nickname', 'profile', 'picture', 'website', 'gender',
  'birthdate', 'zoneinfo', 'locale', 'phone_number',
] as const;
const ADDRESS_PARTS = ['street_address', 'locality', 'region', 'postal_code', 'country'] as const;

export interface UserClaims {
  status: UserStatus;
  claims: Record<string, unknown> & { sub: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function attribute(attributes: Record<string, unknown>, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value.trim() ? value : undefined;
}

/** The claims of a users row (with its `groups` array). */
export function claimsOfUser(row: Record<string, any>): UserClaims['claims'] {
  const attributes: Record<string, unknown> = row.attributes && typeof row.attributes === 'object' ? row.attributes : {};
  const claims: UserClaims['claims'] = { sub: row.id, preferred_username: row.username };
  if (row.name) claims.name = row.name;
  for (const key of STRING_CLAIMS) {
    const value = attribute(attributes, key);
    if (value !== undefined) claims[key] = value;
  }
  // Tessera has no phone verification: a number is only ever what the user typed.
  if (claims.phone_number) claims.phone_number_verified = false;
  const address: Record<string, string> = {};
  const formatted = attribute(attributes, 'address');
  if (formatted) address.formatted = formatted;
  for (const key of ADDRESS_PARTS) {
    const value = attribute(attributes, key);
    if (value !== undefined) address[key] = value;
  }
  if (Object.keys(address).length) claims.address = address;
  if (row.email) {
    claims.email = row.email;
    claims.email_verified = row.email_verified_at != null;
  }
  if (row.updated_at) claims.updated_at = Math.floor(new Date(row.updated_at).getTime() / 1000);
  claims.groups = Array.isArray(row.groups) ? row.groups : [];
  return claims;
}

/**
 * SQL for a scalar subquery: the users row of tenant `tenant` and id `userId` (SQL text
 * expressions) as JSON with its `groups`, or NULL — also when `userId` is no uuid (a client's or
 * a service principal's id), which would otherwise fail the cast. What userClaimsOfRow reads; the
 * OIDC token lookup puts it in its own statement (server/protocols/oidc/token-lookup.ts).
 */
export function userWithGroupsJson(db: Db, tenant: PendingQuery<Row[]>, userId: PendingQuery<Row[]>): PendingQuery<Row[]> {
  return db`(SELECT to_jsonb(u) || jsonb_build_object('groups', ARRAY(SELECT g.name FROM user_groups g
      WHERE g.tenant_id = u.tenant_id AND g.user_id = u.id ORDER BY g.name))
    FROM users u WHERE u.tenant_id = ${tenant}
      AND u.id = CASE WHEN ${userId} ~* ${UUID.source} THEN (${userId})::uuid END)`;
}

/** The user's status and claims, or undefined for an unknown user (or an id that is no uuid). */
export async function loadUserClaims(db: Db, tenant: string, userId: string): Promise<UserClaims | undefined> {
  if (!UUID.test(userId)) return undefined;
  const [row] = await db`SELECT ${userWithGroupsJson(db, db`${tenant}::text`, db`${userId}::text`)} AS account`;
  return row?.account ? userClaimsOfRow(row.account) : undefined;
}

/** The status and claims of a users row with its `groups`, as userWithGroupsJson reads it. */
export function userClaimsOfRow(row: Record<string, any>): UserClaims {
  return { status: row.status, claims: claimsOfUser(row) };
}
