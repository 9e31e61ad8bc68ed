-- Failure counters and lockouts of the throttle module (core/accounts/throttle.ts).
-- Keys are sha256 hex of "account:<user id>", "login:<typed login>" or "ip:<address or /64>":
-- what someone typed as a login (sometimes their password) is never stored.
CREATE TABLE throttle_failures (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key_hash    text NOT NULL,
  -- journey, node and visit: a retried activity records its failure once
  event_id    text NOT NULL,
  at          timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key_hash, event_id)
);
CREATE INDEX throttle_failures_recent ON throttle_failures (tenant_id, key_hash, at);
CREATE INDEX throttle_failures_expiry ON throttle_failures (tenant_id, expires_at);

-- A row is a lock; the lockout workflow (workflows/lockout.ts) deletes it when its timer fires.
CREATE TABLE throttle_locks (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key_hash      text NOT NULL,
  scope         text NOT NULL CHECK (scope IN ('account', 'ip')),
  locked_at     timestamptz NOT NULL,
  locked_until  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key_hash)
);
