-- The account console's email change (tree account-email): the link mailed to the new address is a
-- single-use link of its own purpose, followed only in the browser of the journey that sent it.
ALTER TABLE link_tokens DROP CONSTRAINT link_tokens_purpose_check;
ALTER TABLE link_tokens ADD CONSTRAINT link_tokens_purpose_check
  CHECK (purpose IN ('verify-email', 'sign-in', 'recovery', 'email-change'));
