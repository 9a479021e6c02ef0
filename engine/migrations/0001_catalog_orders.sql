-- Catalog, stock, orders, their trail and the delivery outbox.
-- Times are Unix milliseconds (UTC). Money is in minor units of the row's currency.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
-- Bumped by every durability barrier (store::durability).
INSERT INTO meta (key, value) VALUES ('sync_seq', 0);

CREATE TABLE products (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    sku                 TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL
        CHECK (kind IN ('license_key', 'voucher', 'account', 'link', 'file', 'text')),
    price_minor         INTEGER NOT NULL CHECK (price_minor >= 0),
    currency            TEXT NOT NULL,
    template            TEXT NOT NULL,
    content             TEXT NOT NULL DEFAULT '',
    instructions        TEXT NOT NULL DEFAULT '',
    language            TEXT NOT NULL DEFAULT 'id',
    active              INTEGER NOT NULL DEFAULT 1,
    low_stock_threshold INTEGER NOT NULL DEFAULT 5,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

-- The Shopee mapping: a listing (shop + item + model) or a SKU points at one product.
CREATE TABLE listings (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    shop       TEXT,
    item_id    INTEGER,
    model_id   INTEGER,
    sku        TEXT,
    CHECK (item_id IS NOT NULL OR sku IS NOT NULL)
);
CREATE UNIQUE INDEX listings_by_item ON listings (IFNULL(shop, ''), item_id, IFNULL(model_id, -1))
    WHERE item_id IS NOT NULL;
CREATE UNIQUE INDEX listings_by_sku ON listings (IFNULL(shop, ''), sku) WHERE sku IS NOT NULL;
CREATE INDEX listings_product ON listings (product_id);

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    shop             TEXT NOT NULL,
    order_sn         TEXT NOT NULL,
    status           TEXT NOT NULL,
    attention_reason TEXT,
    attention_detail TEXT,
    shop_status      TEXT,
    buyer_username   TEXT NOT NULL DEFAULT '',
    buyer_user_id    INTEGER,
    total_minor      INTEGER NOT NULL DEFAULT 0,
    currency         TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    paid_at          INTEGER,
    updated_at       INTEGER NOT NULL,
    UNIQUE (shop, order_sn)
);
CREATE INDEX orders_by_status ON orders (status, id);
CREATE INDEX orders_by_created ON orders (created_at, id);
CREATE INDEX orders_by_sn ON orders (order_sn);

CREATE TABLE order_lines (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders (id),
    line_no          INTEGER NOT NULL,
    sku              TEXT NOT NULL DEFAULT '',
    item_id          INTEGER,
    model_id         INTEGER,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL,
    product_id       INTEGER REFERENCES products (id)
);
CREATE INDEX order_lines_by_order ON order_lines (order_id);
CREATE INDEX order_lines_by_product ON order_lines (product_id);

CREATE TABLE order_events (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    at          INTEGER NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_events_by_order ON order_events (order_id, id);

-- Stock secrets are encrypted (secrets::Vault); fingerprint is a keyed hash that finds
-- duplicates without decrypting. An item is allocated to at most one order line, forever.
CREATE TABLE stock_items (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products (id),
    fingerprint   BLOB NOT NULL UNIQUE,
    secret        BLOB NOT NULL,
    status        TEXT NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'allocated')),
    order_line_id INTEGER REFERENCES order_lines (id),
    imported_at   INTEGER NOT NULL,
    allocated_at  INTEGER,
    CHECK ((status = 'allocated') = (order_line_id IS NOT NULL))
);
CREATE INDEX stock_available ON stock_items (product_id, id) WHERE status = 'available';

-- The outbox the extension drains: one rendered message (encrypted) per delivery.
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    message      BLOB NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    offered_at   INTEGER,
    confirmed_at INTEGER,
    resend_of    INTEGER REFERENCES deliveries (id)
);
CREATE INDEX deliveries_pending ON deliveries (id) WHERE status = 'pending';
CREATE INDEX deliveries_by_order ON deliveries (order_id);
