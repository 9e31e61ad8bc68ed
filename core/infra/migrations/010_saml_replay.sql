-- SAML assertions accepted from upstream IdPs, kept until their NotOnOrAfter (+ skew) so that a
-- second use of the same assertion is refused (activities/federation/saml-replay.ts). The primary
-- key is the replay check: of two concurrent inserts, one wins.
CREATE TABLE saml_replay (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  idp           text NOT NULL,
  assertion_id  text NOT NULL CHECK (length(assertion_id) BETWEEN 1 AND 1024),
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, idp, assertion_id)
);
CREATE INDEX saml_replay_expiry ON saml_replay (tenant_id, idp, expires_at);
