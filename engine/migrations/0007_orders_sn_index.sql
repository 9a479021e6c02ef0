-- Every order wrote an entry into orders_by_sn (order_sn alone), a text-keyed b-tree beside the
-- UNIQUE (shop, order_sn) one, for a single query: pending deliveries filtered by order number
-- without a shop. Those are filtered from the pending deliveries now (few: the extension drains
-- them), and every other look-up by order number names its shop.
DROP INDEX orders_by_sn;
