-- WebAuthn credentials (passkeys and security keys). A credential id is unique within a tenant,
-- so a usernameless login finds its user by the id alone, and never in another tenant.
CREATE TABLE webauthn_credentials (
  tenant_id       text NOT NULL,
  -- base64url, as the browser reports it
  credential_id   text NOT NULL CHECK (length(credential_id) BETWEEN 1 AND 1400),
  user_id         uuid NOT NULL,
  -- COSE-encoded public key
  public_key      bytea NOT NULL,
  -- signature counter; 0 for authenticators that keep none
  counter         bigint NOT NULL DEFAULT 0 CHECK (counter >= 0),
  transports      text[] NOT NULL DEFAULT '{}',
  device_type     text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up       boolean NOT NULL DEFAULT false,
  aaguid          text NOT NULL,
  -- the challenge of the last accepted assertion: a retried verification is recognised, not
  -- mistaken for a counter regression
  last_challenge  text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz,
  PRIMARY KEY (tenant_id, credential_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webauthn_credentials_by_user ON webauthn_credentials (tenant_id, user_id);
