//! A cancelled order Shopee reports paid again takes back what it held. For digital goods the
//! delivery is usually in the buyer's chat when the buyer asks to cancel; when the seller (or
//! Shopee) turns the request down, the order must not get a second set of keys. So the items
//! held since the cancellation ('revealed', the seller not having decided yet) go back to the
//! order, and the delivery the cancellation stopped resumes as it was.

use crate::catalog::Kind;
use crate::orders::Status;
use crate::store::now_ms;
use crate::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// Whether a road was ever handed a delivery of the order or the seller shown one (the same
/// marks `leave_order` reads), or an item is still held for it. When not, the buyer cannot
/// have anything of the order: allocating afresh is safe.
const SEEN: &str = "SELECT EXISTS (
        SELECT 1 FROM deliveries d WHERE d.order_id = ?1
          AND (d.offered_at IS NOT NULL OR d.sending_at IS NOT NULL OR d.status = 'sent'
               OR d.parts_sent > 0 OR d.revealed_at IS NOT NULL))
    OR EXISTS (
        SELECT 1 FROM stock_items s JOIN order_lines l ON l.id = s.order_line_id
        WHERE l.order_id = ?1 AND s.status = 'revealed')";

/// A delivery and every resend of it (a resend's resend too): what reached the chat for the
/// items the first one carries.
const CHAIN: &str = "WITH RECURSIVE chain (id) AS (
        SELECT ?1 UNION ALL SELECT d.id FROM deliveries d JOIN chain c ON d.resend_of = c.id)";

/// What a cancelled order still holds, read before it is taken back.
pub(super) struct Holdings {
    /// Something of the order may be with the buyer (see `SEEN`).
    pub seen: bool,
    /// Items held since the cancellation, each with whether a sent delivery carries it.
    pub held: Vec<(i64, bool)>,
    /// Some line lacks items: returned to stock, voided, or held with no delivery to resume.
    pub lacking: bool,
    /// The deliveries the cancellation stopped before they reached the chat.
    pub resume: Vec<i64>,
}

impl Holdings {
    pub fn read(conn: &Connection, order_id: i64) -> Result<Holdings> {
        let seen: bool = conn
            .prepare_cached(SEEN)?
            .query_row([order_id], |r| r.get(0))?;
        let mut h = Holdings {
            seen,
            held: Vec::new(),
            lacking: lines_lacking(conn, order_id)?,
            resume: Vec::new(),
        };
        if !seen {
            return Ok(h);
        }
        let items: Vec<(i64, Option<i64>)> = conn
            .prepare_cached(
                "SELECT s.id, s.delivery_id FROM stock_items s
                 JOIN order_lines l ON l.id = s.order_line_id
                 WHERE l.order_id = ?1 AND s.status = 'revealed' ORDER BY s.id",
            )?
            .query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (item, delivery) in items {
            let sent = match delivery {
                Some(d) => chain_sent(conn, d)?,
                None => false,
            };
            h.held.push((item, sent));
            if sent {
                continue;
            }
            match delivery
                .map(|d| last_stopped(conn, d))
                .transpose()?
                .flatten()
            {
                Some(d) if !h.resume.contains(&d) => h.resume.push(d),
                Some(_) => {}
                // Nothing to resume that carries it: the seller has to say how it goes out.
                None => h.lacking = true,
            }
        }
        // An order of products without stock (a text, a link) holds no item: its own delivery
        // is what the buyer may lack.
        if h.held.is_empty() && !h.lacking && !order_sent(conn, order_id)? {
            h.resume.extend(last_cancelled(conn, order_id)?);
        }
        Ok(h)
    }

    /// Where the order goes back to: paid (allocated afresh) when the buyer saw nothing; needs
    /// attention when items are gone, since sending new ones would give a buyer who may hold
    /// the old ones a second set; delivering when a stopped delivery resumes; else delivered.
    pub fn target(&self) -> Status {
        if !self.seen {
            Status::Paid
        } else if self.lacking {
            Status::NeedsAttention
        } else if !self.resume.is_empty() {
            Status::Delivering
        } else {
            Status::Delivered
        }
    }

    /// The held items are the order's again: delivered when a sent delivery carries them,
    /// else allocated (their delivery resumes, or the seller decides). Returns how many.
    pub fn give_back(&self, conn: &Connection) -> Result<usize> {
        let now = now_ms();
        let mut stmt = conn.prepare_cached(
            "UPDATE stock_items SET status = ?2, changed_at = ?3 WHERE id = ?1 AND status = 'revealed'",
        )?;
        let mut n = 0;
        for (item, sent) in &self.held {
            let status = if *sent { "delivered" } else { "allocated" };
            n += stmt.execute(params![item, status, now])?;
        }
        Ok(n)
    }

    /// The stopped deliveries go out again as they were: the same row, so a road that still
    /// holds it (a lease, a claim, parts already typed) confirms it once, never twice.
    pub fn resume(&self, conn: &Connection) -> Result<usize> {
        let mut stmt = conn.prepare_cached(
            "UPDATE deliveries SET status = 'pending' WHERE id = ?1 AND status = 'cancelled'",
        )?;
        let mut n = 0;
        for d in &self.resume {
            n += stmt.execute([d])?;
        }
        Ok(n)
    }
}

/// Whether some line lacks its items: a line with no product, or one of a product with stock
/// that holds fewer than its quantity since the cancellation.
fn lines_lacking(conn: &Connection, order_id: i64) -> Result<bool> {
    let lines: Vec<(i64, Option<String>, i64)> = conn
        .prepare_cached(
            "SELECT l.quantity, p.kind,
                    (SELECT count(*) FROM stock_items s
                     WHERE s.order_line_id = l.id AND s.status = 'revealed')
             FROM order_lines l LEFT JOIN products p ON p.id = l.product_id
             WHERE l.order_id = ?1",
        )?
        .query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(lines.iter().any(|(quantity, kind, held)| match kind {
        None => true,
        Some(k) => Kind::parse(k).is_none_or(Kind::has_stock) && held < quantity,
    }))
}

fn chain_sent(conn: &Connection, delivery: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(&format!(
            "{CHAIN} SELECT EXISTS (SELECT 1 FROM chain c JOIN deliveries d ON d.id = c.id
                                    WHERE d.status = 'sent')"
        ))?
        .query_row([delivery], |r| r.get(0))?)
}

/// The newest cancelled delivery of a chain: the one that got furthest (a retry after a chat
/// refusal is a resend of the refused one).
fn last_stopped(conn: &Connection, delivery: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(&format!(
            "{CHAIN} SELECT max(c.id) FROM chain c JOIN deliveries d ON d.id = c.id
                     WHERE d.status = 'cancelled'"
        ))?
        .query_row([delivery], |r| r.get(0))?)
}

fn order_sent(conn: &Connection, order_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM deliveries WHERE order_id = ?1 AND status = 'sent')",
        )?
        .query_row([order_id], |r| r.get(0))?)
}

fn last_cancelled(conn: &Connection, order_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM deliveries WHERE order_id = ?1 AND status = 'cancelled'
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([order_id], |r| r.get(0))
        .optional()?)
}
