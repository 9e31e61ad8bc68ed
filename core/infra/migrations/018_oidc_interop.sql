-- OAuth interoperability (issue 13).

-- JWT access tokens are never stored, so revoking one (RFC 7009) records its `jti` here until the
-- token would have expired anyway; introspection, token exchange and the admin API check it.
CREATE TABLE revoked_access_tokens (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  jti         text NOT NULL CHECK (length(jti) BETWEEN 1 AND 200),
  client_id   text NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens (expires_at);
