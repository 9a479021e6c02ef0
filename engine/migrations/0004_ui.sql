-- The UI's sign-in: a one-time link code (printed by `auto serve` / `auto signin`, or handed
-- to the desktop window in-process) is traded for a session, an admin token that lives in an
-- HttpOnly cookie and expires.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;

CREATE TABLE signin_codes (
    code_hash  BLOB PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

-- When the seller approved a draft: replies sent without it were automatic (the dashboard's
-- automatic answer rate).
ALTER TABLE replies ADD COLUMN approved_at INTEGER;
