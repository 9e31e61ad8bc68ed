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

-- What members of a group may do at an API: for one audience (a resource indicator or client_id),
-- `VERB::path-regex` entries under a claim (`permissions`, or one claim per API as Astarte has
-- them: a_aea, a_rma…). A user's access token for that audience carries the union over the user's
-- groups (core/oidc/group-permissions.ts).
CREATE TABLE group_permissions (
  tenant_id    text NOT NULL,
  group_id     uuid NOT NULL,
  audience     text NOT NULL CHECK (length(audience) BETWEEN 1 AND 500),
  claim        text NOT NULL DEFAULT 'permissions' CHECK (claim ~ '^[A-Za-z][A-Za-z0-9_]{0,63}$'),
  permissions  text[] NOT NULL CHECK (cardinality(permissions) BETWEEN 1 AND 200),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, group_id, audience, claim),
  FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX group_permissions_by_audience ON group_permissions (tenant_id, audience);

-- Dynamic client registration (RFC 7591/7592): initial access tokens (`tessera clients
-- initial-token`) and each registered client's registration access token, both as sha256 only.
CREATE TABLE oidc_initial_access_tokens (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  hash        text NOT NULL,
  uses_left   integer NOT NULL CHECK (uses_left >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, hash)
);

CREATE TABLE oidc_client_registrations (
  tenant_id   text NOT NULL,
  client_id   text NOT NULL,
  token_hash  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, client_id),
  UNIQUE (tenant_id, token_hash),
  FOREIGN KEY (tenant_id, client_id) REFERENCES oidc_clients (tenant_id, client_id) ON DELETE CASCADE
);
