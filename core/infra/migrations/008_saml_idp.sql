-- Tessera as a SAML 2.0 identity provider: the tenant's SAML key and certificate, the service
-- providers registered from their metadata, the checked AuthnRequests waiting for a login, and
-- which SPs each core SSO session signed in to (with the NameID and SessionIndex they were given).

-- One RSA key + self-signed certificate per tenant (signing, encryption, and our SP side toward
-- upstream IdPs). Created on first use (core/saml/saml-credentials.ts).
CREATE TABLE saml_credentials (
  tenant_id        text PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  private_key_pem  text NOT NULL,
  certificate_pem  text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);

-- `metadata` is the SP's metadata XML as registered; the columns are what was read from it
-- (`acs`: [{ url, binding, index, isDefault }]) and Tessera's settings (`settings`: name id format,
-- signing, encryption, attribute mapping, IdP-initiated SSO).
CREATE TABLE saml_sps (
  tenant_id         text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  entity_id         text NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 1024),
  metadata          text NOT NULL,
  acs               jsonb NOT NULL,
  slo_url           text,
  slo_binding       text,
  signing_cert      text,
  encryption_cert   text,
  authn_requests_signed boolean NOT NULL DEFAULT false,
  want_assertions_signed boolean NOT NULL DEFAULT false,
  settings          jsonb NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, entity_id)
);

-- A checked AuthnRequest (or IdP-initiated start) waiting for the login journey: used once, or
-- forgotten after `expires_at`. Looked up by the sha256 of the opaque id in the resume URL.
CREATE TABLE saml_pending (
  tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id_hash      text NOT NULL,
  request      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz,
  PRIMARY KEY (tenant_id, id_hash)
);
CREATE INDEX saml_pending_expiry ON saml_pending (expires_at);

-- The SPs a core SSO session (family) signed in to: what a logout elsewhere would reach.
CREATE TABLE saml_session_sps (
  tenant_id      text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  sso_id         text NOT NULL,
  entity_id      text NOT NULL,
  user_id        uuid NOT NULL,
  name_id        text NOT NULL,
  name_id_format text NOT NULL,
  session_index  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, sso_id, entity_id)
);

-- Persistent NameIDs: a stable random value per (tenant, SP, user) that says nothing of the user id.
CREATE TABLE saml_persistent_ids (
  tenant_id   text NOT NULL,
  entity_id   text NOT NULL,
  user_id     uuid NOT NULL,
  name_id     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, entity_id, user_id),
  UNIQUE (tenant_id, entity_id, name_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
