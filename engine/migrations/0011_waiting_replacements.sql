-- A replacement that found no stock: the bad item stands for it until an import (or any retry
-- of waiting orders) brings an item of the product. whole_order is set when a delivery still
-- waiting to go out carried the bad item and was withdrawn: the replacement then carries every
-- item of the order, not the fresh one alone.
CREATE TABLE waiting_replacements (
    item_id      INTEGER PRIMARY KEY REFERENCES stock_items (id),
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    product_id   INTEGER NOT NULL REFERENCES products (id),
    line_id      INTEGER NOT NULL REFERENCES order_lines (id),
    whole_order  INTEGER NOT NULL DEFAULT 0,
    requested_at INTEGER NOT NULL,
    actor        TEXT NOT NULL
);
CREATE INDEX waiting_replacements_by_order ON waiting_replacements (order_id);
