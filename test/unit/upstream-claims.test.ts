// What an upstream's answer says about the person, after the IdP's claim rules and group mapping.
import { describe, expect, it } from 'vitest';
import type { IdentityProvider } from '../../core/federation/federation-types.ts';
import { upstreamPerson } from '../../activities/federation/upstream-claims.ts';

const idp: IdentityProvider = {
  tenant: 'acme', alias: 'corp', kind: 'oidc', displayName: 'Corp', enabled: true, showOnLogin: true,
  oidc: { issuer: 'https://corp.example', clientId: 'c', scopes: ['openid'] },
  provisioning: { jit: true, onUnknown: 'refuse', linkByEmail: true },
  claimRules: [
    { rename: { from: 'mail', to: 'email' } },
    { add: { claim: 'name', template: '{{givenName}} {{sn}}' } },
    { remove: 'secret_internal_id' },
  ],
  groups: { claim: 'memberOf', map: { 'CN=Admins': 'admins', 'CN=Staff': 'staff' } },
};

describe('upstream claims', () => {
  it('are renamed, added and removed by the rules before anything reads them', () => {
    const person = upstreamPerson(idp, {
      subject: 'u-1',
      claims: { mail: 'Alice@Corp.Example', email_verified: true, givenName: 'Alice', sn: 'Doe', secret_internal_id: 'x', memberOf: ['CN=Admins', 'CN=Other'] },
    });
    expect(person.email).toBe('alice@corp.example');
    expect(person.emailVerified).toBe(true);
    expect(person.name).toBe('Alice Doe');
    expect(person.claims).not.toHaveProperty('secret_internal_id');
    expect(person.claims).not.toHaveProperty('mail');
    expect(person.groups).toEqual(['admins']);
  });

  it('count an email as verified only when the upstream says so', () => {
    const person = upstreamPerson({ ...idp, claimRules: [] }, { subject: 'u-1', claims: { email: 'a@corp.example' } });
    expect(person.email).toBe('a@corp.example');
    expect(person.emailVerified).toBe(false);
  });

  it('drop malformed emails and multi-line values', () => {
    const person = upstreamPerson({ ...idp, claimRules: [] }, { subject: 'u-1', claims: { email: 'not an email', email_verified: true, given_name: 'A\nB', name: 'x'.repeat(500) } });
    expect(person.email).toBeUndefined();
    expect(person.emailVerified).toBe(false);
    expect(person.profile.given_name).toBe('A B');
    expect(person.name).toBe('A B');
  });

  it('map no groups when the IdP maps none', () => {
    expect(upstreamPerson({ ...idp, groups: undefined }, { subject: 's', claims: { memberOf: ['CN=Admins'] } }).groups).toBeUndefined();
  });
});
