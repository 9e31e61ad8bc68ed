-- The account console (/t/{tenant}/account): people name their passkeys ("Work laptop") to tell
-- them apart when renaming or removing one. Null until named; at most 64 characters of one line.
ALTER TABLE webauthn_credentials ADD COLUMN name text
  CHECK (name IS NULL OR (length(name) BETWEEN 1 AND 64 AND name !~ '[[:cntrl:]]'));

-- Sessions remember the browser that made them (its User-Agent, at most 300 characters), so that
-- people can tell their sessions apart in the account console. Older sessions have none.
ALTER TABLE sessions ADD COLUMN user_agent text CHECK (user_agent IS NULL OR length(user_agent) <= 300);
