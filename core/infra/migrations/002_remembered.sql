-- Remembered node results (a node's `remember`) and SSO session families.
-- sso_id stays the same when a user re-authenticates in the same browser session, so results
-- remembered "in session" survive the new session id that every login gets.
ALTER TABLE sessions ADD COLUMN sso_id text;
UPDATE sessions SET sso_id = journey_id WHERE sso_id IS NULL;
ALTER TABLE sessions ALTER COLUMN sso_id SET NOT NULL;

CREATE TABLE remembered_results (
  tenant_id   text NOT NULL,
  user_id     uuid NOT NULL,
  -- 'session:<sso_id>' or 'cookie:<sha256 of the device cookie>'
  scope       text NOT NULL,
  tree        text NOT NULL,
  node        text NOT NULL,
  outcome     text NOT NULL,
  amr         text[] NOT NULL DEFAULT '{}',
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id, scope, tree, node),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
