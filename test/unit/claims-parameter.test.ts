// What the OIDC claims parameter may ask for, given the client's scopes (server/protocols/oidc/claims-parameter.ts).
import { expect, it } from 'vitest';
import { limitClaims } from '../../server/protocols/oidc/claims-parameter.ts';

const TABLE = { openid: ['sub', 'acr'], email: ['email', 'email_verified'], groups: ['groups'], acr: null, auth_time: null };
const ASKED = { id_token: { sub: null, email: null, groups: { essential: true }, acr: { values: ['x'] }, auth_time: null, made_up: null }, userinfo: { email: null } };

it('keeps claims of the allowed scopes and claims of no scope, drops the rest', () => {
  expect(limitClaims(ASKED, TABLE, new Set(['openid']))).toEqual({
    id_token: { sub: null, acr: { values: ['x'] }, auth_time: null }, userinfo: {},
  });
  expect(limitClaims(ASKED, TABLE, new Set(['openid', 'email']))).toEqual({
    id_token: { sub: null, email: null, acr: { values: ['x'] }, auth_time: null }, userinfo: { email: null },
  });
});

it('lets a client without registered scopes ask for the claims of every scope', () => {
  expect(limitClaims(ASKED, TABLE, undefined)).toEqual({
    id_token: { sub: null, email: null, groups: { essential: true }, acr: { values: ['x'] }, auth_time: null }, userinfo: { email: null },
  });
});
