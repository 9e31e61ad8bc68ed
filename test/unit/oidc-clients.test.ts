// Client registration rules (core/oidc/oidc-client-metadata.ts buildClientMetadata): what reaches the provider
// is always a usable client, and every unsafe or ambiguous registration is refused with a reason.
import { describe, expect, it } from 'vitest';
import { buildClientMetadata, OidcClientInputError, responseTypesFor } from '../../core/oidc/oidc-client-metadata.ts';

const refused = (input: unknown) => {
  try {
    buildClientMetadata(input);
  } catch (err) {
    if (err instanceof OidcClientInputError) return err.message;
    throw err;
  }
  return undefined;
};

describe('buildClientMetadata', () => {
  it('generates a 128-bit client_id and a 256-bit secret for a confidential client', () => {
    const m = buildClientMetadata({ redirect_uris: ['https://rp.example/cb'] });
    expect(m.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(m.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(m).toMatchObject({
      token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], application_type: 'web', first_party: false,
    });
    expect(buildClientMetadata({ redirect_uris: ['https://rp.example/cb'] }).client_id).not.toBe(m.client_id);
  });

  it('gives a public client no secret and refuses one, or client credentials', () => {
    const m = buildClientMetadata({ public: true, redirect_uris: ['http://localhost:5173/cb'] });
    expect(m.token_endpoint_auth_method).toBe('none');
    expect(m).not.toHaveProperty('client_secret');
    expect(refused({ public: true, client_secret: 'x'.repeat(40), redirect_uris: ['https://a.example/cb'] })).toMatch(/no secret/);
    expect(refused({ public: true, grant_types: ['client_credentials'] })).toMatch(/public client cannot/);
    expect(refused({ public: true, redirect_uris: ['https://a.example/cb'], token_endpoint_auth_method: 'client_secret_post' })).toMatch(/"none"/);
  });

  it('keeps a given id and secret, refusing short secrets and odd ids', () => {
    const m = buildClientMetadata({ client_id: 'api://orders', client_secret: 's'.repeat(32), grant_types: ['client_credentials'] });
    expect(m).toMatchObject({ client_id: 'api://orders', client_secret: 's'.repeat(32), response_types: [], redirect_uris: [] });
    expect(refused({ client_secret: 'short-secret', grant_types: ['client_credentials'] })).toMatch(/at least 32/);
    expect(refused({ client_id: 'has space', grant_types: ['client_credentials'] })).toMatch(/client_id/);
    expect(refused({ client_id: 'x', grant_types: ['client_credentials'] })).toMatch(/client_id/);
  });

  it('accepts https, http on loopback and private-use schemes as redirect URIs; nothing else', () => {
    expect(buildClientMetadata({ redirect_uris: ['com.example.app:/oauth2redirect'] }).application_type).toBe('native');
    expect(buildClientMetadata({ redirect_uris: ['http://127.0.0.1:8080/cb', 'http://localhost/cb'] }).application_type).toBe('web');
    for (const bad of [
      'http://rp.example/cb', 'https://rp.example/cb#frag', '/relative/cb', 'javascript:alert(1)', 'data:text/html,x',
      'myapp:/cb', 'file:///etc/passwd', 'not a url',
    ]) {
      expect(refused({ redirect_uris: [bad] }), bad).toMatch(/redirect_uris/);
    }
    expect(refused({ redirect_uris: ['https://rp.example/cb'], post_logout_redirect_uris: ['http://evil.example/'] })).toMatch(/post_logout_redirect_uris/);
    expect(refused({ redirect_uris: ['https://rp.example/cb'], backchannel_logout_uri: 'com.example.app:/logout' })).toMatch(/backchannel_logout_uri/);
  });

  it('derives response types from grant types, every combination for implicit + code', () => {
    expect(responseTypesFor(['authorization_code'])).toEqual(['code']);
    expect(responseTypesFor(['client_credentials'])).toEqual([]);
    expect(new Set(responseTypesFor(['authorization_code', 'implicit']))).toEqual(new Set([
      'code', 'id_token', 'token', 'code id_token', 'code token', 'id_token token', 'code id_token token', 'none',
    ]));
    expect(responseTypesFor(['implicit'])).not.toContain('code');
    expect(refused({ grant_types: ['authorization_code'] })).toMatch(/redirect_uris are required/);
    expect(refused({ grant_types: ['urn:example:unknown'], redirect_uris: ['https://a.example/cb'] })).toMatch(/grant_types/);
    // The password grant only by opting in, and only for confidential clients.
    expect(buildClientMetadata({ grant_types: ['password'] }).grant_types).toEqual(['password']);
    expect(refused({ public: true, grant_types: ['password'] })).toMatch(/password grant/);
  });

  it('validates Tessera metadata: claim rules, token exchange, permissions', () => {
    const m = buildClientMetadata({
      grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      first_party: true,
      claim_rules: [{ rename: { from: 'email', to: 'mail' } }],
      token_exchange: { audiences: ['api://orders'], external: [{ issuer: 'https://idp.example', subject: 'svc', jwks_uri: 'https://idp.example/jwks' }] },
      permissions: ['GET::/api/items/[0-9]+', '*::/health'],
    });
    expect(m).toMatchObject({ first_party: true, permissions: ['GET::/api/items/[0-9]+', '*::/health'] });
    expect(refused({ grant_types: ['client_credentials'], claim_rules: [{ remove: 'sub' }] })).toMatch(/claim_rules/);
    expect(refused({ grant_types: ['client_credentials'], permissions: ['GET /x'] })).toMatch(/VERB::path-regex/);
    expect(refused({ grant_types: ['client_credentials'], permissions: ['GET::/x(['] })).toMatch(/compiles on its own/);
    // A pattern that would escape its anchoring is refused here, not silently ignored by the guard.
    expect(refused({ grant_types: ['client_credentials'], permissions: ['GET::/a)|(?:.*'] })).toMatch(/compiles on its own/);
    expect(refused({ grant_types: ['client_credentials'], token_exchange: { audiences: ['a'] } })).toMatch(/token-exchange grant/);
    expect(refused({
      grant_types: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      token_exchange: { external: [{ issuer: 'https://idp.example', subject: 'svc' }] },
    })).toMatch(/exactly one of jwks_uri and jwks/);
    expect(refused({ grant_types: ['client_credentials'], unknown_field: 1 })).toBeDefined();
    expect(refused({ grant_types: ['client_credentials'], scope: 'openid orders:read' })).toMatch(/unsupported scopes \(orders:read\)/);
    expect(buildClientMetadata({ grant_types: ['client_credentials'], scope: 'openid groups' }).scope).toBe('openid groups');
  });
});
