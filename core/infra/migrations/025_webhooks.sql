-- Webhooks: a tenant's subscriptions to event types, the outbox of events to deliver (written in
-- the same statement as the audit event they come from, so an event exists exactly when its audit
-- record does), and one delivery per (webhook, event) with its attempts and how it ended.
CREATE TABLE webhooks (
  id                    uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  tenant_id             text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  url                   text NOT NULL,
  event_types           text[] NOT NULL,
  -- The HMAC key: read by the delivery activity only, never passed through a workflow.
  secret                text NOT NULL,
  -- After a rotation, deliveries are signed with both secrets until this time (Stripe's grace).
  previous_secret       text,
  previous_secret_until timestamptz,
  enabled               boolean NOT NULL DEFAULT true,
  description           text,
  dead_letter_after_ms  bigint NOT NULL DEFAULT 86400000,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, created_at);

CREATE TABLE webhook_outbox (
  id            bigserial PRIMARY KEY,
  event_id      uuid NOT NULL UNIQUE,
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  type          text NOT NULL,
  audit_id      bigint,
  occurred_at   timestamptz NOT NULL,
  data          jsonb NOT NULL DEFAULT '{}',
  dispatched_at timestamptz
);
CREATE INDEX webhook_outbox_waiting ON webhook_outbox (id) WHERE dispatched_at IS NULL;

CREATE TABLE webhook_deliveries (
  webhook_id     uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_id       uuid NOT NULL,
  tenant_id      text NOT NULL,
  event_type     text NOT NULL,
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead-lettered')),
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text,
  response_code  integer,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  finished_at    timestamptz,
  PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (webhook_id, created_at DESC);
