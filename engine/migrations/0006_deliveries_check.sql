-- The outbox's status check as comparisons instead of an IN list: SQLite checks an IN list of
-- three or more constants by building a temporary b-tree, for every row it writes, which was an
-- eighth of the work of taking in a paid order. Same rule, same rows; SQLite cannot change a
-- CHECK in place, so the table is rebuilt. Its only reference is its own resend_of, which names
-- the new table so that dropping the old one finds no rows pointing at it; the rename then
-- renames the reference too.
CREATE TABLE deliveries_new (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    message      BLOB NOT NULL,
    status       TEXT NOT NULL
        CHECK (status = 'pending' OR status = 'sent' OR status = 'cancelled'),
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    offered_at   INTEGER,
    confirmed_at INTEGER,
    resend_of    INTEGER REFERENCES deliveries_new (id)
);
INSERT INTO deliveries_new (id, order_id, message, status, attempts, created_at, offered_at,
                            confirmed_at, resend_of)
    SELECT id, order_id, message, status, attempts, created_at, offered_at, confirmed_at, resend_of
    FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_pending ON deliveries (id) WHERE status = 'pending';
CREATE INDEX deliveries_by_order ON deliveries (order_id);
