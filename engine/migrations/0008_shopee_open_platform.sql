-- The second road to Shopee: the seller's Open Platform app, the shops it is authorized for,
-- and what the outbox needs so that two roads drain it without sending anything twice.

-- One app per AUTO. The partner key is sealed by the vault like stock; base_url is the live
-- host, the test host, or a local server.
CREATE TABLE shopee_app (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    partner_id  INTEGER NOT NULL,
    partner_key BLOB NOT NULL,
    base_url    TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- A shop authorized for the app. Both tokens are sealed. high_water is the update_time
-- (seconds) up to which every order change has been pulled; first_sync_* tell the progress
-- of the first pull of a shop's history.
CREATE TABLE shopee_shops (
    shop_id            INTEGER PRIMARY KEY,
    name               TEXT,
    access_token       BLOB NOT NULL,
    refresh_token      BLOB NOT NULL,
    access_expires_at  INTEGER NOT NULL,
    refresh_expires_at INTEGER NOT NULL,
    connected_at       INTEGER NOT NULL,
    high_water         INTEGER,
    first_sync_done    INTEGER NOT NULL DEFAULT 0,
    first_sync_total   INTEGER,
    first_sync_finished INTEGER NOT NULL DEFAULT 0,
    chat_since_nano    INTEGER,
    last_sync_at       INTEGER,
    orders_pulled      INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT
);

-- Authorization links handed out and not used yet: the callback must name one (a page of
-- another site cannot connect a shop of its choosing to this AUTO).
CREATE TABLE shopee_auth_states (
    state      TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

-- Which road handed a delivery or reply out. sending_at: the Open Platform road recorded its
-- intent to send (before the call), so neither road offers it again until it is reconciled;
-- message_id (replies: chat_message_id, as message_id there is the buyer's message it
-- answers): Shopee's id of the chat message that carried it.
ALTER TABLE deliveries ADD COLUMN road TEXT;
ALTER TABLE deliveries ADD COLUMN sending_at INTEGER;
ALTER TABLE deliveries ADD COLUMN message_id TEXT;
ALTER TABLE replies ADD COLUMN road TEXT;
ALTER TABLE replies ADD COLUMN sending_at INTEGER;
ALTER TABLE replies ADD COLUMN chat_message_id TEXT;
CREATE INDEX deliveries_sending ON deliveries (id) WHERE sending_at IS NOT NULL AND status = 'pending';
