// SAML attributes → claims, before the IdP's claim rules. Common attribute names (LDAP OIDs from
// eduPerson / X.500, the ADFS and Azure AD claim URIs, plain names) are mapped to OIDC-style claim
// names; anything else keeps its SAML name. One value → a string, several → an array; groups are
// always an array. `email` also comes from an email-format (or email-shaped) NameID when no
// attribute gave one. `email_verified` is set only when the IdP is configured as trusted for it.
const CLAIM_NAMES: Record<string, string> = {
  'urn:oid:0.9.2342.19200300.100.1.3': 'email',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'email',
  'mail': 'email',
  'email': 'email',
  'urn:oid:2.5.4.42': 'given_name',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': 'given_name',
  'givenName': 'given_name',
  'urn:oid:2.5.4.4': 'family_name',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname': 'family_name',
  'sn': 'family_name',
  'urn:oid:2.16.840.1.113730.3.1.241': 'name',
  'http://schemas.microsoft.com/identity/claims/displayname': 'name',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': 'name',
  'displayName': 'name',
  'urn:oid:2.5.4.3': 'name',
  'urn:oid:1.3.6.1.4.1.5923.1.5.1.1': 'groups',
  'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': 'groups',
  'http://schemas.xmlsoap.org/claims/Group': 'groups',
  'memberOf': 'groups',
  'groups': 'groups',
};

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ClaimSource {
  attributes: Map<string, string[]>;
  nameId: string;
  nameIdFormat?: string;
  trustEmail: boolean;
}

export function samlClaims(source: ClaimSource): Record<string, unknown> {
  const collected = new Map<string, string[]>();
  for (const [name, values] of source.attributes) {
    const claim = CLAIM_NAMES[name] ?? name;
    collected.set(claim, [...(collected.get(claim) ?? []), ...values]);
  }
  const claims: Record<string, unknown> = {};
  for (const [claim, values] of collected) {
    if (claim === 'groups') claims.groups = [...new Set(values)];
    else if (values.length === 1) claims[claim] = values[0];
    else if (values.length > 1) claims[claim] = values;
  }
  const nameIdIsEmail = source.nameIdFormat === EMAIL_FORMAT || EMAIL_SHAPE.test(source.nameId);
  if (claims.email === undefined && nameIdIsEmail) claims.email = source.nameId;
  if (typeof claims.email === 'string' && source.trustEmail) claims.email_verified = true;
  return claims;
}
