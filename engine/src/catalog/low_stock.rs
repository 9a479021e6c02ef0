//! Low stock, said once: a sale that takes a product's available count to or below its
//! threshold marks the product (`products.low_stock_since`), and only that crossing is news;
//! the sales after it are not. Stock coming back above the threshold clears the mark, so the
//! next crossing is news again. Orders waiting for the product are counted here too.

use crate::store::{now_ms, Held};
use crate::Result;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use utoipa::ToSchema;

/// The available items of a product, counted up to `cap` at most: whether a pool is at or
/// below a threshold needs only threshold + 1 index entries, never the whole pool.
/// `LIMIT ?2 + 0`: a bare bound LIMIT is planned by its value (see delivery's READ_AHEAD).
const AVAILABLE_UP_TO: &str = "SELECT count(*) FROM (SELECT 1 FROM stock_items
     WHERE product_id = ?1 AND status = 'available' LIMIT ?2 + 0)";

const PRODUCT_MARK: &str = "SELECT low_stock_threshold, low_stock_since IS NULL,
            kind IN ('license_key', 'voucher', 'account')
     FROM products WHERE id = ?1";

/// Marks a product low on stock when items just taken from it (a sale, a withdrawal) left it
/// at or below its threshold, unless it is marked already. Runs in the transaction that took
/// the items; returns true when this call made the mark (a new crossing).
pub fn note_taken(held: &mut Held, product_id: i64) -> Result<bool> {
    let mark: Option<(i64, bool, bool)> = held
        .get(PRODUCT_MARK)?
        .query_row([product_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((threshold, unmarked, stocked)) = mark else {
        return Ok(false);
    };
    if !unmarked || !stocked {
        return Ok(false);
    }
    let available: i64 = held
        .get(AVAILABLE_UP_TO)?
        .query_row(params![product_id, threshold + 1], |r| r.get(0))?;
    if available > threshold {
        return Ok(false);
    }
    let marked = held
        .get("UPDATE products SET low_stock_since = ?2 WHERE id = ?1 AND low_stock_since IS NULL")?
        .execute(params![product_id, now_ms()])?;
    Ok(marked == 1)
}

/// Clears the mark when stock came back (an import, items returned to the pool) and the
/// available count is above the threshold again, or when the product no longer keeps stock
/// (its kind changed); returns true when it cleared it.
pub fn note_restocked(conn: &Connection, product_id: i64) -> Result<bool> {
    let mut held = Held::new(conn);
    let mark: Option<(i64, bool, bool)> = held
        .get(PRODUCT_MARK)?
        .query_row([product_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((threshold, unmarked, stocked)) = mark else {
        return Ok(false);
    };
    if unmarked {
        return Ok(false);
    }
    if stocked {
        let available: i64 = held
            .get(AVAILABLE_UP_TO)?
            .query_row(params![product_id, threshold + 1], |r| r.get(0))?;
        if available <= threshold {
            return Ok(false);
        }
    }
    conn.prepare_cached("UPDATE products SET low_stock_since = NULL WHERE id = ?1")?
        .execute([product_id])?;
    Ok(true)
}

/// Re-evaluates the mark after the seller saved a product's threshold (or kind): the count did
/// not move, the line did, so the stock is now on one side of it or the other. Crossing it this
/// way is the same news as a sale crossing it (marked once, told once); stepping back above it
/// clears the mark. Returns true when this call made the mark. Runs in the saving transaction.
pub fn note_threshold_saved(conn: &Connection, product_id: i64) -> Result<bool> {
    let marked = note_taken(&mut Held::new(conn), product_id)?;
    if !marked {
        note_restocked(conn, product_id)?;
    }
    Ok(marked)
}

/// Paid orders waiting because a product ran out (needs_attention, out_of_stock) that have a
/// line of it.
pub fn waiting_orders(conn: &Connection, product_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM orders o
             WHERE o.status = 'needs_attention' AND o.attention_reason = 'out_of_stock'
               AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.product_id = ?1)",
        )?
        .query_row([product_id], |r| r.get(0))?)
}

/// A product that crossed its threshold downwards and has not come back above it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct LowStock {
    pub product_id: i64,
    pub name: String,
    pub available: i64,
    pub threshold: i64,
    /// When the crossing happened (Unix ms; the event's identity: one crossing, one notice).
    #[serde(skip)]
    pub since_ms: i64,
    pub since: DateTime<Utc>,
    /// Paid orders waiting for this product's stock.
    pub waiting: i64,
}

/// Products whose crossing happened at or after `since_ms`, oldest crossing first.
pub fn crossed_since(conn: &Connection, since_ms: i64) -> Result<Vec<LowStock>> {
    let marked: Vec<(i64, String, i64, i64)> = conn
        .prepare_cached(
            "SELECT id, name, low_stock_threshold, low_stock_since FROM products
             WHERE low_stock_since >= ?1 ORDER BY low_stock_since, id",
        )?
        .query_map([since_ms], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(marked.len());
    for (product_id, name, threshold, since_ms) in marked {
        let available: i64 = conn
            .prepare_cached(AVAILABLE_UP_TO)?
            .query_row(params![product_id, threshold + 1], |r| r.get(0))?;
        out.push(LowStock {
            product_id,
            name,
            available,
            threshold,
            since_ms,
            since: DateTime::from_timestamp_millis(since_ms).unwrap_or_default(),
            waiting: waiting_orders(conn, product_id)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(available: usize, threshold: i64) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO products (id, name, sku, kind, price_minor, currency, template, low_stock_threshold, created_at, updated_at)
             VALUES (1, 'Key', 'KEY', 'license_key', 1000, 'IDR', '{{items}}', ?1, 0, 0)",
            [threshold],
        )
        .unwrap();
        for i in 0..available {
            conn.execute(
                "INSERT INTO stock_items (product_id, fingerprint, secret, imported_at) VALUES (1, ?1, x'00', 0)",
                [format!("f{i}")],
            )
            .unwrap();
        }
        conn
    }

    fn take_one(conn: &Connection) -> bool {
        conn.execute(
            "UPDATE stock_items SET status = 'withdrawn' WHERE id = (SELECT min(id) FROM stock_items WHERE status = 'available')",
            [],
        )
        .unwrap();
        note_taken(&mut Held::new(conn), 1).unwrap()
    }

    #[test]
    fn only_the_sale_that_crosses_the_threshold_is_news() {
        let conn = pool(8, 5);
        let news: Vec<bool> = (0..8).map(|_| take_one(&conn)).collect();
        // 7, 6 left: above; 5 left: the crossing; 4..0: already said.
        assert_eq!(
            news,
            [false, false, true, false, false, false, false, false]
        );
        assert_eq!(crossed_since(&conn, 0).unwrap().len(), 1);
        assert_eq!(crossed_since(&conn, 0).unwrap()[0].available, 0);
    }

    #[test]
    fn an_import_above_the_threshold_clears_the_mark_and_the_next_crossing_is_news() {
        let conn = pool(6, 5);
        assert!(take_one(&conn));
        assert!(!note_restocked(&conn, 1).unwrap(), "5 left is still low");
        conn.execute(
            "INSERT INTO stock_items (product_id, fingerprint, secret, imported_at) VALUES (1, 'new', x'00', 0)",
            [],
        )
        .unwrap();
        assert!(note_restocked(&conn, 1).unwrap(), "6 left is above 5");
        assert!(crossed_since(&conn, 0).unwrap().is_empty());
        assert!(take_one(&conn), "down to 5 again: a new crossing");
    }

    fn set_threshold(conn: &Connection, threshold: i64) -> bool {
        conn.execute(
            "UPDATE products SET low_stock_threshold = ?1 WHERE id = 1",
            [threshold],
        )
        .unwrap();
        note_threshold_saved(conn, 1).unwrap()
    }

    fn marked(conn: &Connection) -> bool {
        conn.query_row(
            "SELECT low_stock_since IS NOT NULL FROM products WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn saving_a_threshold_marks_or_clears_at_once_and_marks_only_once() {
        let conn = pool(4, 2);
        assert!(!set_threshold(&conn, 3), "4 available is above 3");
        assert!(!marked(&conn));
        assert!(set_threshold(&conn, 4), "4 available is at 4: the crossing");
        assert!(marked(&conn));
        assert!(!set_threshold(&conn, 4), "saved again: no new crossing");
        assert!(
            !set_threshold(&conn, 10),
            "higher still: still the same crossing"
        );
        assert!(marked(&conn));
        assert!(!set_threshold(&conn, 3), "4 available is above 3 again");
        assert!(!marked(&conn), "lowered below the count: cleared");
        assert!(
            take_one(&conn),
            "a sale down to the saved 3 is a crossing again"
        );
    }

    #[test]
    fn a_product_without_stock_is_never_marked_by_its_threshold() {
        let conn = pool(0, 0);
        assert!(set_threshold(&conn, 1), "a stock product with none left");
        conn.execute("UPDATE products SET kind = 'link' WHERE id = 1", [])
            .unwrap();
        assert!(!set_threshold(&conn, 50));
        assert!(!marked(&conn), "a link keeps no stock: the old mark goes");
    }

    #[test]
    fn a_threshold_of_zero_is_crossed_by_the_last_item() {
        let conn = pool(2, 0);
        assert!(!take_one(&conn));
        assert!(take_one(&conn));
    }
}
