// From an interaction's parameters to the AuthRequest, and when the core session answers it
// (server/protocols/oidc/auth-request.ts); the CSP form-action the OIDC pages widen (page.ts).
import { UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { decideLogin, parseAuthRequest, sessionAnswers } from '../../server/protocols/oidc/auth-request.ts';
import { formSource, withFormAction } from '../../server/protocols/oidc/page.ts';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const session = { userId: 'u1', acr: 'urn:acr:password', authTime: new Date(NOW - 60_000) };

describe('parseAuthRequest', () => {
  it('keeps what the journey needs and the ACRs wanted, essential claims included', () => {
    const request = parseAuthRequest({
      client_id: 'web', prompt: 'login consent', max_age: '300', login_hint: ' alice@example.com ', acr_values: 'urn:a urn:b',
      claims: JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:c', 'urn:a'] } } }),
      id_token_hint: new UnsecuredJWT({ sub: 'u9' }).encode(),
    }, 'Web');
    expect(request).toEqual({
      clientId: 'web', clientName: 'Web', loginHint: 'alice@example.com', prompt: ['login', 'consent'], acrValues: ['urn:a', 'urn:b'],
      maxAge: 300, wantedAcrs: ['urn:a', 'urn:b', 'urn:c'], hintedSubject: 'u9',
    });
  });

  it('ignores malformed values instead of failing', () => {
    expect(parseAuthRequest({ client_id: 'web', max_age: '-1', claims: '{not json', id_token_hint: 'x.y', login_hint: 'x'.repeat(300) }))
      .toEqual({ clientId: 'web', wantedAcrs: [] });
  });
});

describe('decideLogin', () => {
  const plain = parseAuthRequest({ client_id: 'web' });
  const facts = { now: NOW };

  it('signs in without a session, or when prompt=login', () => {
    expect(decideLogin(plain, undefined, facts)).toBe('login');
    expect(decideLogin(parseAuthRequest({ client_id: 'web', prompt: 'login' }), session, facts)).toBe('login');
    expect(decideLogin(plain, session, facts)).toBe('reuse');
  });

  it('max_age: reuses a session young enough, not an older one', () => {
    expect(decideLogin(parseAuthRequest({ client_id: 'web', max_age: '60' }), session, facts)).toBe('reuse');
    expect(decideLogin(parseAuthRequest({ client_id: 'web', max_age: '59' }), session, facts)).toBe('login');
  });

  it('login_hint and id_token_hint must name the session\'s user', () => {
    const hinted = parseAuthRequest({ client_id: 'web', login_hint: 'bob' });
    expect(decideLogin(hinted, session, { ...facts, hintedUser: 'u1' })).toBe('reuse');
    expect(decideLogin(hinted, session, { ...facts, hintedUser: 'u2' })).toBe('login');
    expect(decideLogin(hinted, session, { ...facts, hintedUser: null })).toBe('login');
    const other = parseAuthRequest({ client_id: 'web', id_token_hint: new UnsecuredJWT({ sub: 'u2' }).encode() });
    expect(decideLogin(other, session, facts)).toBe('login');
  });

  it('acr_values: steps up when a tree achieves a wanted ACR the session lacks; otherwise keeps it', () => {
    const strong = parseAuthRequest({ client_id: 'web', acr_values: 'urn:acr:strong' });
    expect(decideLogin(strong, session, { ...facts, acrTree: 'strong' })).toBe('step-up');
    expect(decideLogin(strong, session, facts)).toBe('reuse');
    expect(decideLogin(strong, { ...session, acr: 'urn:acr:strong' }, { ...facts, acrTree: 'strong' })).toBe('reuse');
  });
});

describe('sessionAnswers', () => {
  it('after prompt=login, only a sign-in at or after the interaction began', () => {
    const request = parseAuthRequest({ client_id: 'web', prompt: 'login' });
    const since = Math.floor((NOW - 30_000) / 1000);
    expect(sessionAnswers(request, session, { now: NOW }, since)).toBe(false);
    expect(sessionAnswers(request, { ...session, authTime: new Date(NOW - 1000) }, { now: NOW }, since)).toBe(true);
  });

  it('needs the wanted ACR when a tree achieves it', () => {
    const request = parseAuthRequest({ client_id: 'web', acr_values: 'urn:acr:strong' });
    expect(sessionAnswers(request, session, { now: NOW, acrTree: 'strong' }, 0)).toBe(false);
    expect(sessionAnswers(request, { ...session, acr: 'urn:acr:strong' }, { now: NOW, acrTree: 'strong' }, 0)).toBe(true);
  });
});

describe('withFormAction', () => {
  const csp = "default-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'";

  it('adds the origins (or native schemes) of where a form may lead', () => {
    expect(withFormAction(csp, ['https://rp.example/cb?x=1', 'https://rp.example/other', 'com.example.app:/cb']))
      .toBe("default-src 'self'; script-src 'self'; form-action 'self' https://rp.example com.example.app:; frame-ancestors 'none'");
  });

  it('leaves the policy alone for nothing usable, and never lets a value inject a directive', () => {
    expect(withFormAction(csp, ['not a url', '/relative'])).toBe(csp);
    expect(formSource("https://rp.example/;script-src 'unsafe-inline'")).toBe('https://rp.example');
    expect(formSource('javascript:alert(1)')).toBeUndefined();
    expect(formSource('data:text/html,x')).toBeUndefined();
  });
});
