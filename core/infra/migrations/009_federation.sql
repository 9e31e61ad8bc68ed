-- Upstream identity providers (OIDC, SAML, social presets) per tenant, the accounts linked to
-- them, and the state of federated round trips in flight.

-- `config` holds the protocol's settings (core/federation/federation-types.ts: OidcUpstreamConfig with the
-- client secret, or SamlUpstreamConfig with the IdP's metadata XML). Never in Temporal history:
-- the journey carries only the alias.
CREATE TABLE identity_providers (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  alias         text NOT NULL CHECK (alias ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  kind          text NOT NULL CHECK (kind IN ('oidc', 'saml')),
  display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  enabled       boolean NOT NULL DEFAULT true,
  show_on_login boolean NOT NULL DEFAULT true,
  config        jsonb NOT NULL,
  provisioning  jsonb NOT NULL,
  claim_rules   jsonb NOT NULL DEFAULT '[]',
  groups        jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, alias)
);

-- An upstream account (its stable subject at one IdP) linked to a local user; at most one link
-- per user and IdP.
CREATE TABLE federated_identities (
  tenant_id     text NOT NULL,
  idp           text NOT NULL,
  subject       text NOT NULL CHECK (length(subject) BETWEEN 1 AND 1000),
  user_id       uuid NOT NULL,
  email         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz,
  PRIMARY KEY (tenant_id, idp, subject),
  UNIQUE (tenant_id, idp, user_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, idp) REFERENCES identity_providers(tenant_id, alias) ON DELETE CASCADE
);

-- One row per federated round trip: found by the sha256 of the `state` (OIDC) / `RelayState`
-- (SAML) the browser brings back. `kept` is what the protocol needs at the callback (PKCE
-- verifier, nonce, AuthnRequest id); `params` the callback's parameters once it arrived. The
-- journey takes (deletes) the row when it judges the answer: single use.
CREATE TABLE federation_states (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  state_hash    text NOT NULL,
  journey_id    text NOT NULL,
  idp           text NOT NULL,
  kept          jsonb NOT NULL,
  -- Where the browser goes upstream (it carries the state): kept here, not in the journey's step.
  redirect_url  text NOT NULL,
  params        jsonb,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, state_hash)
);
CREATE INDEX federation_states_expiry ON federation_states (expires_at);
