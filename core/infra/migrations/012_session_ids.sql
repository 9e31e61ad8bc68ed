-- Sessions get a public id (the management API's `/users/{id}/sessions/{sessionId}`): random and
-- unrelated to the cookie, so naming a session never exposes anything that could replay it (the
-- primary key is the cookie's sha256). Sessions are listed per user, newest first.
ALTER TABLE sessions ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX sessions_by_id ON sessions (tenant_id, id);
CREATE INDEX sessions_by_user ON sessions (tenant_id, user_id, created_at DESC);
