-- When Shopee's latest word an order took was true (ms): the time of the newest timed report
-- (Shopee's update_time, else when the extension read the page) the order took, and at least
-- its cancellation's time once Shopee reopened it. A report that would cancel, refund or return
-- the order changes it only when newer than this: an old "cancelled" page re-sent from the
-- extension's queue after the order was reopened must not cancel it again.
ALTER TABLE orders ADD COLUMN shopee_reported_at INTEGER;

-- Orders from before it: the only word known to be newer than a report is a reopening, and
-- one that was reopened (not cancelled now) was so after its recorded cancellation. The rest
-- stay NULL: a cancellation report about them is taken as before.
UPDATE orders SET shopee_reported_at = cancel_reported_at
WHERE cancel_reported_at IS NOT NULL AND status <> 'cancelled';
