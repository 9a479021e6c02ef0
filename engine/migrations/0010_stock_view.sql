-- Stock you can see: a product's items listed in import order without sorting them. The
-- status and batch indexes of schema 9 serve the filtered lists; the unfiltered list needs
-- (product_id, id), else every page of a 100k pool sorts the whole pool.
CREATE INDEX stock_by_product ON stock_items (product_id, id);
