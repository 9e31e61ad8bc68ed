-- A single logout in flight through the browser (server/protocols/saml/slo-relay.ts): after one SP's
-- LogoutRequest ended the session, the browser visits each other SAML SP of the session with a
-- LogoutRequest, then returns the LogoutResponse to the SP that asked. One row per hop: the
-- browser carries only a random token (RelayState), stored here as its sha256 and consumed once.
CREATE TABLE logout_relays (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id_hash     text NOT NULL,
  -- { pending: [{ entityId, nameId, nameIdFormat, sessionIndex }], awaiting: { entityId, requestId },
  --   origin: { entityId, requestId, relayState? }, partial: boolean }
  relay       jsonb NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id_hash)
);
CREATE INDEX logout_relays_expiry ON logout_relays (expires_at);

-- What logging out at an upstream IdP needs, per journey that signed in through it
-- (server/upstream-logout.ts): OIDC { idToken, endSessionEndpoint }, SAML { nameId, nameIdFormat,
-- sessionIndex }. Written by the upstream-idp module's activity (never in the journey's history),
-- read and deleted when the session it produced ends, gone with the session's lifetime.
CREATE TABLE upstream_sessions (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  journey_id  text NOT NULL,
  idp         text NOT NULL,
  data        jsonb NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, journey_id)
);
CREATE INDEX upstream_sessions_expiry ON upstream_sessions (expires_at);
