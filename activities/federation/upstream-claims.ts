// What an upstream's answer says about the person, after the IdP's claim rules (rename, add,
// remove: core/oidc/claim-rules.ts) and group mapping. Pure. Only what the rules leave is read; an
// email counts as verified only when the upstream said so (`email_verified` true).
import { applyClaimRules } from '../../core/oidc/claim-rules.ts';
import type { IdentityProvider, UpstreamIdentity } from '../../core/federation/federation-types.ts';

/** Profile attributes a just-in-time account takes from the claims of the same name. */
const PROFILE_CLAIMS = ['given_name', 'family_name', 'middle_name', 'nickname', 'picture', 'website', 'locale', 'zoneinfo', 'phone_number'] as const;
const EMAIL = /^[^\s@<>",;]{1,64}@[^\s@<>",;.][^\s@<>",;]{0,253}\.[^\s@<>",;]{1,63}$/;
const MAX_GROUPS = 100;

export interface UpstreamPerson {
  subject: string;
  claims: Record<string, unknown>;
  email?: string;
  emailVerified: boolean;
  name?: string;
  profile: Record<string, string>;
  /** Local group names (mapped); undefined when the IdP maps no groups. */
  groups?: string[];
}

function oneLine(value: unknown, max = 200): string | undefined {
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text && text.length <= max ? text : undefined;
}

function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function upstreamPerson(idp: IdentityProvider, identity: UpstreamIdentity): UpstreamPerson {
  const claims = applyClaimRules(identity.claims, idp.claimRules, { tenant: idp.tenant });
  const email = oneLine(claims.email, 254)?.toLowerCase();
  const validEmail = email && EMAIL.test(email) ? email : undefined;
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  const given = oneLine(claims.given_name);
  const family = oneLine(claims.family_name);
  const name = oneLine(claims.name) ?? ([given, family].filter(Boolean).join(' ') || undefined);
  const profile: Record<string, string> = {};
  for (const key of PROFILE_CLAIMS) {
    const value = oneLine(claims[key]);
    if (value) profile[key] = value;
  }
  const groups = idp.groups
    ? [...new Set(list(claims[idp.groups.claim]).map((g) => (Object.hasOwn(idp.groups!.map, g) ? idp.groups!.map[g] : undefined)).filter((g): g is string => !!g))].slice(0, MAX_GROUPS)
    : undefined;
  return {
    subject: identity.subject, claims, ...(validEmail ? { email: validEmail } : {}), emailVerified: !!validEmail && verified,
    ...(name ? { name } : {}), profile, ...(groups ? { groups } : {}),
  };
}
