-- When the Shopee report that cancelled an order was true (ms): Shopee's update_time of that
-- report (Open Platform), else when the extension read the page, else when AUTO recorded it. A
-- later report saying "paid" reopens the order only when it is newer than this: an old page
-- re-sent from a queue, or an older API detail, must not undo the cancellation.
ALTER TABLE orders ADD COLUMN cancel_reported_at INTEGER;

-- Orders cancelled before this column: the time AUTO recorded the cancellation is the best known.
UPDATE orders SET cancel_reported_at = (
    SELECT max(e.at) FROM order_events e
    WHERE e.order_id = orders.id AND e.to_status = 'cancelled'
      AND (e.from_status IS NULL OR e.from_status <> 'cancelled'))
WHERE status = 'cancelled';
