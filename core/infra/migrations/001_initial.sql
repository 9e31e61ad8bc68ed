-- Tenants and everything tenant-scoped. Every table after tenants carries tenant_id in its key,
-- so no query can reach another tenant's rows without naming that tenant.
CREATE TABLE tenants (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name        text NOT NULL,
  settings    jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  username    text NOT NULL,
  email       text,
  name        text,
  status      text NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
  attributes  jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, username)
);
CREATE UNIQUE INDEX users_email_per_tenant ON users (tenant_id, lower(email)) WHERE email IS NOT NULL;

CREATE TABLE password_credentials (
  tenant_id   text NOT NULL,
  user_id     uuid NOT NULL,
  hash        text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE totp_credentials (
  tenant_id     text NOT NULL,
  user_id       uuid NOT NULL,
  secret        text NOT NULL,
  -- highest 30-second counter accepted so far: a code is never accepted twice
  last_counter  bigint NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE trees (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name        text NOT NULL,
  version     integer NOT NULL CHECK (version > 0),
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name, version)
);

CREATE TABLE sessions (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  -- sha256 of the cookie value: a database reader cannot replay sessions
  id_hash       text NOT NULL,
  user_id       uuid NOT NULL,
  journey_id    text NOT NULL,
  acr           text,
  amr           text[] NOT NULL DEFAULT '{}',
  auth_time     timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  PRIMARY KEY (tenant_id, id_hash),
  UNIQUE (tenant_id, journey_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE audit_events (
  id          bigserial PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  type        text NOT NULL,
  actor       text,
  subject     text,
  journey_id  text,
  -- idempotency key: an activity retried after a crash records its event once
  dedupe_key  text,
  data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, at DESC);
CREATE UNIQUE INDEX audit_events_dedupe ON audit_events (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
