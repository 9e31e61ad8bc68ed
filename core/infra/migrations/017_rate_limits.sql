-- Rate limits (core/infra/rate-limit.ts): one row per key and fixed window, counting hits. Keys are
-- sha256 hex of "<limit>:<subject>" (an address, an email): who was counted is not stored.
-- Rows outlive their window by a little and are deleted in the background.
CREATE TABLE rate_limit_hits (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key_hash      text NOT NULL,
  window_start  timestamptz NOT NULL,
  hits          integer NOT NULL,
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key_hash, window_start)
);
CREATE INDEX rate_limit_hits_expiry ON rate_limit_hits (expires_at);

-- Mail over its recipient's limit is recorded (no body) but never sent.
ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_transport_check;
ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_transport_check CHECK (transport IN ('smtp', 'dev', 'suppressed'));
