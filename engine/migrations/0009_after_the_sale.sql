-- After the sale: an item's whole life (sold, shown, cancelled, bad, withdrawn), deliveries
-- in chat-sized parts, replacements, low stock said once, and trail events the UI can word
-- in the seller's language.

-- A stock item's life:
--   available  in the pool;
--   allocated  taken for an order line, its delivery not handed to any road or shown yet;
--   delivered  its delivery was confirmed in the buyer's chat;
--   revealed   its order was cancelled/refunded/returned after the delivery was handed out or
--              shown to the seller: out of the pool until the seller decides (pool or void);
--   bad        the seller marked it bad (note says why) or voided it: never sold again;
--   withdrawn  taken out of the pool by the seller (exported first): never sold again.
-- order_line_id stays on an item that went to an order (revealed and bad ones too), so "which
-- order got this key" has an answer; delivery_id is the delivery whose message carries it.
-- changed_at is when it last changed status; replaced_by names the item sent in its place.
-- SQLite cannot change a CHECK in place, so the table is rebuilt (nothing else references it).
-- The status check is comparisons, not an IN list (see 0006).
CREATE TABLE stock_items_new (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products (id),
    fingerprint   BLOB NOT NULL UNIQUE,
    secret        BLOB NOT NULL,
    status        TEXT NOT NULL DEFAULT 'available'
        CHECK (status = 'available' OR status = 'allocated' OR status = 'delivered'
               OR status = 'revealed' OR status = 'bad' OR status = 'withdrawn'),
    order_line_id INTEGER REFERENCES order_lines (id),
    delivery_id   INTEGER REFERENCES deliveries (id),
    batch         TEXT NOT NULL DEFAULT '',
    imported_at   INTEGER NOT NULL,
    allocated_at  INTEGER,
    changed_at    INTEGER,
    note          TEXT,
    replaced_by   INTEGER REFERENCES stock_items_new (id),
    CHECK (status <> 'available' OR order_line_id IS NULL),
    CHECK (status <> 'allocated' OR order_line_id IS NOT NULL)
);
INSERT INTO stock_items_new (id, product_id, fingerprint, secret, status, order_line_id,
                             imported_at, allocated_at, changed_at)
    SELECT id, product_id, fingerprint, secret, status, order_line_id, imported_at, allocated_at,
           allocated_at
    FROM stock_items;
DROP TABLE stock_items;
ALTER TABLE stock_items_new RENAME TO stock_items;
CREATE INDEX stock_available ON stock_items (product_id, id) WHERE status = 'available';
CREATE INDEX stock_by_status ON stock_items (product_id, status, id);
CREATE INDEX stock_by_batch ON stock_items (product_id, batch, id);
CREATE INDEX stock_by_line ON stock_items (order_line_id) WHERE order_line_id IS NOT NULL;

-- Items already allocated: the order's first delivery carries them; a sent one delivered them.
UPDATE stock_items SET delivery_id = (
        SELECT min(d.id) FROM deliveries d JOIN order_lines l ON l.order_id = d.order_id
        WHERE l.id = stock_items.order_line_id AND d.resend_of IS NULL)
    WHERE order_line_id IS NOT NULL;
UPDATE stock_items SET status = 'delivered'
    WHERE status = 'allocated'
      AND EXISTS (SELECT 1 FROM deliveries d WHERE d.id = stock_items.delivery_id AND d.status = 'sent');

-- Deliveries: revealed_at, when the seller was first shown its text; parts, the sealed JSON
-- array of chat-sized texts in order (NULL: one part, the message); parts_sent, how many of
-- them a road has confirmed in the chat; replaces_item, the bad item a replacement stands for.
ALTER TABLE deliveries ADD COLUMN revealed_at INTEGER;
ALTER TABLE deliveries ADD COLUMN parts BLOB;
ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN replaces_item INTEGER REFERENCES stock_items (id);

-- Low stock said once: set when the product's available count crosses its threshold
-- downwards, cleared when it crosses back up.
ALTER TABLE products ADD COLUMN low_stock_since INTEGER;

-- Trail events and attention reasons as a code with parameters (JSON object), worded by the UI
-- in the seller's language; reason stays the English text for logs and older clients.
ALTER TABLE order_events ADD COLUMN code TEXT;
ALTER TABLE order_events ADD COLUMN params TEXT;
ALTER TABLE orders ADD COLUMN attention_params TEXT;
