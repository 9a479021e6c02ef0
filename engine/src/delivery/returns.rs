//! When an order leaves (cancelled, refunded, returned): the items no one has seen go back to
//! the pool, the ones a road was handed or the seller was shown are held for the seller to put
//! back or void. And the way back: a cancellation Shopee reported and then undid (the order is
//! paid again) takes the order back once, with what it held (reopen.rs).

use super::reopen::Holdings;
use crate::catalog::{low_stock, mask_secret, Kind, StockSecret};
use crate::orders::{record_event, transition, Note, Status};
use crate::secrets::Vault;
use crate::store::now_ms;
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// What leaving did to an order's items.
#[derive(Debug, Default)]
pub struct Left {
    pub returned: usize,
    pub held: usize,
    /// Products whose pool grew.
    pub products: Vec<i64>,
}

/// A delivery counts as seen once it was handed to a road (leased, claimed, sent, a part
/// taken) or its text was shown to the seller. An item is seen when a delivery of its order
/// from the one that carries it onwards was: later ones (resends, re-renders) may repeat it.
const ITEMS_OF_ORDER: &str = "SELECT s.id, s.product_id, s.status = 'delivered' OR EXISTS (
        SELECT 1 FROM deliveries d
        WHERE d.order_id = ?1 AND d.id >= COALESCE(s.delivery_id, 0)
          AND (d.offered_at IS NOT NULL OR d.sending_at IS NOT NULL OR d.status = 'sent'
               OR d.parts_sent > 0 OR d.revealed_at IS NOT NULL))
     FROM stock_items s JOIN order_lines l ON l.id = s.order_line_id
     WHERE l.order_id = ?1 AND s.status IN ('allocated', 'delivered')";

/// Sorts the items of an order that just moved to `to` (cancelled, refunded, returned): unseen
/// ones back to the pool, seen ones held ('revealed'). Runs in the transaction of the status
/// change, so an item is never both in the pool and the order's.
pub fn leave_order(conn: &Connection, order_id: i64, to: Status, actor: &str) -> Result<Left> {
    let items: Vec<(i64, i64, bool)> = conn
        .prepare_cached(ITEMS_OF_ORDER)?
        .query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let now = now_ms();
    let mut left = Left::default();
    for (id, product_id, seen) in items {
        if seen {
            conn.prepare_cached(
                "UPDATE stock_items SET status = 'revealed', changed_at = ?2 WHERE id = ?1",
            )?
            .execute(params![id, now])?;
            left.held += 1;
        } else {
            to_pool(conn, id, now)?;
            left.returned += 1;
            if !left.products.contains(&product_id) {
                left.products.push(product_id);
            }
        }
    }
    let dropped = conn
        .prepare_cached("DELETE FROM waiting_replacements WHERE order_id = ?1")?
        .execute([order_id])?;
    for p in &left.products {
        low_stock::note_restocked(conn, *p)?;
    }
    let say = |note: Note| record_event(conn, order_id, Some(to), to, actor, &note);
    if left.returned > 0 {
        say(Note::ItemsReturned {
            count: left.returned as i64,
        })?;
    }
    if left.held > 0 {
        say(Note::ItemsHeld {
            count: left.held as i64,
        })?;
    }
    if dropped > 0 {
        say(Note::ReplacementsDropped {
            count: dropped as i64,
        })?;
    }
    Ok(left)
}

/// An item back in the pool, free of any order; a bad item it was to replace no longer names it.
fn to_pool(conn: &Connection, id: i64, now: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE stock_items SET status = 'available', order_line_id = NULL, delivery_id = NULL,
                allocated_at = NULL, note = NULL, changed_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    conn.prepare_cached("UPDATE stock_items SET replaced_by = NULL WHERE replaced_by = ?1")?
        .execute([id])?;
    Ok(())
}

/// The roads Shopee speaks through.
fn is_shopee(actor: &str) -> bool {
    matches!(actor, "extension" | "open_platform")
}

/// Shopee reported paid (or completed) an order AUTO has as cancelled, in a report true at
/// `report_at` (ms: Shopee's update time, else when the page was read). When Shopee itself had
/// reported the cancellation (a buyer's request the seller or Shopee then turned down), the
/// order is taken back, unless the report is older than the cancellation (then only the trail says
/// so); returns true in both cases. A cancellation the seller made in AUTO stays: a page
/// still showing the order as paid must not undo it. Exactly once: the order is no longer
/// cancelled after this, so the same report again is no news.
///
/// Taken back how depends on what the buyer may already have (see `reopen::Holdings`): nothing
/// seen, allocated afresh; the items it held, given back (delivered, or their stopped delivery
/// resumed), never a second set; items gone meanwhile, the seller decides, nothing is sent.
pub fn reopen_cancelled(
    conn: &Connection,
    vault: &Vault,
    order_id: i64,
    reported: Status,
    report_at: Option<i64>,
    actor: &str,
) -> Result<bool> {
    if !is_shopee(actor) || !matches!(reported, Status::Paid | Status::Completed) {
        return Ok(false);
    }
    if !cancelled_by_shopee(conn, order_id)? {
        return Ok(false);
    }
    // Old news (true no later than the cancellation) stays in the trail only; true means taken.
    if super::stale::ignore_stale(
        conn,
        order_id,
        Status::Cancelled,
        reported,
        report_at,
        actor,
    )? {
        return Ok(true);
    }
    let holdings = Holdings::read(conn, order_id)?;
    let to = holdings.target();
    let status = reported.to_string();
    let gone = (to == Status::NeedsAttention).then(|| Note::ReopenedItemsGone {
        status: status.clone(),
    });
    if !move_back(conn, order_id, to, reported, gone.as_ref())? {
        return Ok(false);
    }
    super::stale::note_reopened(conn, order_id, report_at)?;
    record_event(
        conn,
        order_id,
        Some(Status::Cancelled),
        to,
        actor,
        &Note::Reopened { status },
    )?;
    if to == Status::Paid {
        super::allocate_order(conn, vault, order_id, "engine")?;
        return Ok(true);
    }
    let say = |note: &Note| record_event(conn, order_id, Some(to), to, "engine", note);
    let count = holdings.give_back(conn)?;
    if count > 0 {
        say(&Note::ItemsGivenBack {
            count: count as i64,
        })?;
    }
    match (to, gone) {
        (_, Some(gone)) => say(&gone)?,
        (Status::Delivering, _) => {
            holdings.resume(conn)?;
            say(&Note::DeliveryResumed)?;
        }
        // As a confirm does once nothing is left to send: Shopee's completed applies now.
        (Status::Delivered, _) if reported == Status::Completed => transition(
            conn,
            order_id,
            Status::Delivered,
            Status::Completed,
            "engine",
            &Note::ShopeeCompleted,
        )?,
        _ => {}
    }
    Ok(true)
}

/// Whether the order's last cancellation was Shopee's word (reported by a Shopee road), not the
/// seller's in AUTO.
fn cancelled_by_shopee(conn: &Connection, order_id: i64) -> Result<bool> {
    let cancelled_by: Option<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT actor, code FROM order_events WHERE order_id = ?1 AND to_status = 'cancelled'
             AND (from_status IS NULL OR from_status <> 'cancelled') ORDER BY id DESC LIMIT 1",
        )?
        .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(cancelled_by
        .is_some_and(|(who, code)| is_shopee(&who) && code.as_deref() == Some("reported")))
}

/// Not a move of the status machine (cancelled stays final for everyone else): the one road
/// back, taken only on Shopee's word, straight to where the order stands. False when the order
/// is not cancelled (any more).
fn move_back(
    conn: &Connection,
    order_id: i64,
    to: Status,
    reported: Status,
    attention: Option<&Note>,
) -> Result<bool> {
    let moved = conn
        .prepare_cached(
            "UPDATE orders SET status = ?2, shop_status = ?3, attention_reason = ?4,
                    attention_detail = ?5, attention_params = ?6, updated_at = ?7,
                    paid_at = COALESCE(paid_at, ?7)
             WHERE id = ?1 AND status = 'cancelled'",
        )?
        .execute(params![
            order_id,
            to.as_str(),
            reported.as_str(),
            attention.map(Note::code),
            attention.map(Note::english),
            attention.and_then(Note::params),
            now_ms()
        ])?;
    Ok(moved == 1)
}

/// What the seller does with an item held after its order left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Back in the pool, to be sold again.
    Pool,
    /// Bad: never sold again.
    Void,
}

/// An item of an order as a decision needs it: product, kind, status, sealed secret.
pub(super) struct ItemOfOrder {
    pub product_id: i64,
    pub kind: Kind,
    pub status: String,
    pub line_id: i64,
    pub secret: Vec<u8>,
}

/// The item `item_id` of order `order_id`, or a not-found error naming both (an item of
/// another order is not found here either).
pub(super) fn item_of_order(conn: &Connection, order_id: i64, item_id: i64) -> Result<ItemOfOrder> {
    let exists: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| r.get(0))
        .optional()?;
    if exists.is_none() {
        return Err(Error::not_found(format!("order {order_id}")));
    }
    type Row = (i64, String, String, Option<i64>, Option<i64>, Vec<u8>);
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT s.product_id, p.kind, s.status, s.order_line_id, l.order_id, s.secret
             FROM stock_items s JOIN products p ON p.id = s.product_id
             LEFT JOIN order_lines l ON l.id = s.order_line_id WHERE s.id = ?1",
        )?
        .query_row([item_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    match row {
        Some((product_id, kind, status, Some(line_id), Some(of), secret)) if of == order_id => {
            Ok(ItemOfOrder {
                product_id,
                kind: Kind::parse(&kind).unwrap_or(Kind::LicenseKey),
                status,
                line_id,
                secret,
            })
        }
        Some((_, _, status, None, _, _)) if status == "available" => Err(Error::conflict(format!(
            "stock item {item_id} is in stock (available), not an item of order {order_id}"
        ))),
        _ => Err(Error::not_found(format!(
            "stock item {item_id} of order {order_id}"
        ))),
    }
}

/// An item's secret masked for the trail and the lists.
pub(super) fn masked(vault: &Vault, kind: Kind, sealed: &[u8]) -> Result<String> {
    Ok(mask_secret(&StockSecret::from_plain(
        kind,
        &vault.open(sealed)?,
    )))
}

/// Puts an item held after its order left back in the pool, or voids it, with a trail event.
/// Returns its product (whose pool may have grown).
pub fn decide(
    conn: &Connection,
    vault: &Vault,
    order_id: i64,
    item_id: i64,
    decision: Decision,
    reason: &str,
    actor: &str,
) -> Result<i64> {
    let reason = crate::fields::one_line("reason", reason, 200, false)?;
    let item = item_of_order(conn, order_id, item_id)?;
    if item.status != "revealed" {
        return Err(Error::conflict(format!(
            "stock item {item_id} is {}; only an item held after its order was cancelled, \
             refunded or returned waits for this decision",
            item.status
        )));
    }
    let shown = masked(vault, item.kind, &item.secret)?;
    let now = now_ms();
    let note = match decision {
        Decision::Pool => {
            to_pool(conn, item_id, now)?;
            low_stock::note_restocked(conn, item.product_id)?;
            Note::ItemBackToStock { item: shown }
        }
        Decision::Void => {
            let why = if reason.is_empty() {
                "voided".to_string()
            } else {
                reason.clone()
            };
            conn.prepare_cached(
                "UPDATE stock_items SET status = 'bad', note = ?2, changed_at = ?3 WHERE id = ?1",
            )?
            .execute(params![item_id, why, now])?;
            Note::ItemVoided {
                item: shown,
                reason,
            }
        }
    };
    let status: String = conn
        .prepare_cached("SELECT status FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| r.get(0))?;
    let status = Status::parse(&status).unwrap_or(Status::NeedsAttention);
    record_event(conn, order_id, Some(status), status, actor, &note)?;
    Ok(item.product_id)
}

/// Records that the seller was shown the texts of an order's deliveries: their items count as
/// seen from now on (a cancellation no longer returns them to the pool).
pub fn mark_revealed(conn: &Connection, order_id: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE deliveries SET revealed_at = ?2 WHERE order_id = ?1 AND revealed_at IS NULL",
    )?
    .execute(params![order_id, now_ms()])?;
    Ok(())
}
