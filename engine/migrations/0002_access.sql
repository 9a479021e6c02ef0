-- API tokens (stored as SHA-256 hashes) and extension pairing codes.

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    scope      TEXT NOT NULL CHECK (scope IN ('admin', 'extension')),
    label      TEXT NOT NULL DEFAULT '',
    origin     TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE pairing_codes (
    id         INTEGER PRIMARY KEY,
    code_hash  BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
