-- The management API (issue 11): groups as a catalogue of their own (with members in user_groups,
-- renamed and deleted together), admin roles as groups that carry a role, admin tokens limited to
-- a role, and indexes for querying the audit log.
CREATE TABLE groups (
  tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description  text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
  -- members of a group with a role hold that admin role (super-admin: in every tenant)
  role         text CHECK (role IN ('super-admin', 'tenant-admin', 'approver', 'auditor')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
CREATE UNIQUE INDEX groups_one_per_role ON groups (tenant_id, role) WHERE role IS NOT NULL;

INSERT INTO groups (tenant_id, name) SELECT DISTINCT tenant_id, name FROM user_groups;

-- A membership written by name (federation's group map) creates its group: the catalogue never
-- misses a group a user is in.
CREATE FUNCTION user_groups_ensure_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO groups (tenant_id, name) VALUES (NEW.tenant_id, NEW.name) ON CONFLICT DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER user_groups_ensure_group BEFORE INSERT ON user_groups
  FOR EACH ROW EXECUTE FUNCTION user_groups_ensure_group();

ALTER TABLE user_groups ADD CONSTRAINT user_groups_group
  FOREIGN KEY (tenant_id, name) REFERENCES groups (tenant_id, name) ON UPDATE CASCADE ON DELETE CASCADE;
CREATE INDEX user_groups_by_group ON user_groups (tenant_id, name, user_id);

ALTER TABLE admin_tokens ADD COLUMN role text NOT NULL DEFAULT 'tenant-admin'
  CHECK (role IN ('super-admin', 'tenant-admin', 'approver', 'auditor'));

CREATE INDEX audit_events_by_type ON audit_events (tenant_id, type, id DESC);
CREATE INDEX audit_events_by_subject ON audit_events (tenant_id, subject, id DESC) WHERE subject IS NOT NULL;
CREATE INDEX audit_events_by_journey ON audit_events (tenant_id, journey_id) WHERE journey_id IS NOT NULL;
