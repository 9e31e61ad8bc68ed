-- Outgoing mail, terms of service and their acceptances.

-- Every message sent, keyed by a dedupe key per tenant: an activity retried after a crash finds
-- its row and sends nothing. Bodies are kept only for the dev mailbox (no SMTP_URL); mail that
-- went out over SMTP keeps its envelope only, since bodies hold sign-in codes and links.
-- `meta` is what the sender attached to the message (e.g. the hash of the code it carries), so a
-- retried sender picks up the state of the message that actually went out.
CREATE TABLE mail_messages (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id          bigserial NOT NULL,
  dedupe_key  text NOT NULL,
  template    text NOT NULL,
  recipient   text NOT NULL,
  subject     text NOT NULL,
  transport   text NOT NULL CHECK (transport IN ('smtp', 'dev')),
  text_body   text,
  html_body   text,
  meta        jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX mail_messages_dev ON mail_messages (created_at DESC) WHERE transport = 'dev';

CREATE TABLE terms_versions (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  version     integer NOT NULL CHECK (version > 0),
  url         text NOT NULL,
  title       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, version)
);

CREATE TABLE terms_acceptances (
  tenant_id    text NOT NULL,
  user_id      uuid NOT NULL,
  version      integer NOT NULL,
  accepted_at  timestamptz NOT NULL DEFAULT now(),
  journey_id   text,
  PRIMARY KEY (tenant_id, user_id, version),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, version) REFERENCES terms_versions(tenant_id, version) ON DELETE CASCADE
);
