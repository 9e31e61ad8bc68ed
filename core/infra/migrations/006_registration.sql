-- Registration, moderation, invitations, email verification and recovery.

-- When the address was proven (a followed verification link or an accepted invitation), when the
-- account last signed in (the first sign-in may be sent through the profile step), and when the
-- user last reviewed the profile at the tenant's request (forceProfileUpdate).
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
ALTER TABLE users ADD COLUMN last_login_at timestamptz;
ALTER TABLE users ADD COLUMN profile_reviewed_at timestamptz;

-- Single-use links sent by mail. Only the sha256 of the token is kept. `dedupe_key` makes the
-- sending activity idempotent: a retry finds the row of the link that went out.
CREATE TABLE link_tokens (
  tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  hash         text NOT NULL,
  purpose      text NOT NULL CHECK (purpose IN ('verify-email', 'sign-in', 'recovery')),
  user_id      uuid,
  -- the registration workflow, or the journey, the link belongs to
  workflow_id  text,
  dedupe_key   text NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, hash),
  UNIQUE (tenant_id, dedupe_key)
);

-- Accounts awaiting an admin's decision. The registration workflow owns the decision; this row is
-- what admins list and what `decided_*` records for the audit trail.
CREATE TABLE approvals (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id       uuid NOT NULL,
  workflow_id   text NOT NULL,
  status        text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
  requested_at  timestamptz NOT NULL DEFAULT now(),
  -- when the workflow rejects the request without a decision (the deadline it started with)
  deadline_at   timestamptz,
  reminded_at   timestamptz,
  decided_at    timestamptz,
  decided_by    text,
  reason        text,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, user_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX approvals_pending ON approvals (tenant_id, requested_at) WHERE status = 'pending';

-- Invitations: the code is mailed and only its sha256 kept.
CREATE TABLE invitations (
  tenant_id         text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  email             text NOT NULL,
  code_hash         text,
  -- who invited: 'user:<uuid>', 'admin:<token name>' or 'cli'
  inviter           text NOT NULL,
  inviter_user_id   uuid,
  status            text NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
  workflow_id       text NOT NULL,
  expires_at        timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  accepted_at       timestamptz,
  accepted_user_id  uuid,
  revoked_at        timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX invitations_code ON invitations (tenant_id, code_hash) WHERE code_hash IS NOT NULL;
CREATE INDEX invitations_by_inviter ON invitations (tenant_id, inviter_user_id) WHERE inviter_user_id IS NOT NULL;

-- Bearer tokens of the admin API, per tenant; only the sha256 is kept.
CREATE TABLE admin_tokens (
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  name          text NOT NULL,
  hash          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (hash),
  UNIQUE (tenant_id, name)
);
