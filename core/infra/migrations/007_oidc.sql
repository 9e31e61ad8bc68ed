-- OpenID Connect / OAuth 2 (oidc-provider per tenant) and the legacy login protocol.

-- Relying parties. `metadata` is oidc-provider client metadata (client_id and client_secret
-- included: the provider compares secrets itself, in constant time); `settings` is what Tessera
-- adds: first_party (no consent), claim rules, token exchange permissions, trusted external JWTs.
CREATE TABLE oidc_clients (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  client_id   text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 200),
  metadata    jsonb NOT NULL,
  settings    jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, client_id)
);

-- oidc-provider's models (codes, tokens, sessions, grants, interactions, device codes, PAR…),
-- one row each. grant_id, user_code and uid are the provider's secondary lookups.
CREATE TABLE oidc_payloads (
  tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  model        text NOT NULL,
  id           text NOT NULL,
  payload      jsonb NOT NULL,
  grant_id     text,
  user_code    text,
  uid          text,
  expires_at   timestamptz,
  consumed_at  timestamptz,
  PRIMARY KEY (tenant_id, model, id)
);
CREATE INDEX oidc_payloads_grant ON oidc_payloads (tenant_id, grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_payloads_user_code ON oidc_payloads (tenant_id, user_code) WHERE user_code IS NOT NULL;
CREATE INDEX oidc_payloads_uid ON oidc_payloads (tenant_id, uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_payloads_expiry ON oidc_payloads (expires_at) WHERE expires_at IS NOT NULL;

-- Per-tenant signing keys (JWK). `active` keys sign (one per alg); `retired` keys are still
-- published in the JWKS until `publish_until`, so tokens they signed keep verifying.
CREATE TABLE signing_keys (
  tenant_id      text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  kid            text NOT NULL,
  alg            text NOT NULL,
  private_jwk    jsonb NOT NULL,
  status         text NOT NULL CHECK (status IN ('active', 'retired')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  retired_at     timestamptz,
  publish_until  timestamptz,
  PRIMARY KEY (tenant_id, kid)
);

-- Which relying parties a core SSO session signed in to, with the `sid` each was given: what
-- back-channel logout notifies when the session ends.
CREATE TABLE session_clients (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  sso_id      text NOT NULL,
  client_id   text NOT NULL,
  sid         text NOT NULL,
  user_id     uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, sso_id, client_id)
);

-- Legacy (Astakos-compatible) login protocol: services that validate user tokens, and the user
-- tokens handed to `next` after login. Only sha256 hashes of both kinds of token are kept.
CREATE TABLE legacy_services (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE legacy_user_tokens (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  hash        text NOT NULL,
  user_id     uuid NOT NULL,
  sso_id      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  PRIMARY KEY (tenant_id, hash),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX legacy_user_tokens_by_user ON legacy_user_tokens (tenant_id, user_id);

-- Groups a user belongs to (the legacy authenticate answer, the `groups` claim).
CREATE TABLE user_groups (
  tenant_id   text NOT NULL,
  user_id     uuid NOT NULL,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  PRIMARY KEY (tenant_id, user_id, name),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
