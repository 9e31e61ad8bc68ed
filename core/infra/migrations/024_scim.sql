-- SCIM 2.0 provisioning (issue 14): bearer tokens of a tenant's SCIM endpoint (only the sha256 is
-- kept; revoked tokens stay as records), and the externalId a provisioning client gives a user or
-- group (SCIM's own identifier for the resource in the client's directory; Tessera has no field
-- for it). A row whose user or group is gone is never read: ids are random and never reused.
CREATE TABLE scim_tokens (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 63),
  hash          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (hash)
);
CREATE UNIQUE INDEX scim_tokens_live_name ON scim_tokens (tenant_id, name) WHERE revoked_at IS NULL;

CREATE TABLE scim_external_ids (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  resource_type text NOT NULL CHECK (resource_type IN ('User', 'Group')),
  resource_id   uuid NOT NULL,
  external_id   text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 500),
  PRIMARY KEY (tenant_id, resource_type, resource_id)
);
CREATE INDEX scim_external_ids_lookup ON scim_external_ids (tenant_id, resource_type, external_id);

-- SCIM's userName and displayName compare ignoring case: clients look users and groups up by them.
CREATE INDEX users_username_any_case ON users (tenant_id, lower(username));
CREATE INDEX groups_name_any_case ON groups (tenant_id, lower(name));
