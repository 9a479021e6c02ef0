//! Replacing a bad key. The seller marks one item of an order bad (with a reason): it is never
//! sold again, a fresh item of the product is allocated in the same transaction and goes to the
//! buyer as a replacement message through the outbox like any delivery. A delivery still
//! waiting to go out that carries the bad item is withdrawn first (and the replacement then
//! carries the whole order), so the buyer is never sent the bad item again. With no stock, the
//! replacement waits (`waiting_replacements`) and the retry after an import fills it.
//!
//! A replacement message uses a default template in the product's language (no per-product
//! template: the few words around one key need no editing), with the product's instructions.

use super::parts::{self, Rendered};
use super::rerender::{addressee, current_items, queue};
use super::returns::{item_of_order, masked};
use super::template::Values;
use crate::catalog::{low_stock, mask_secret, product_row, ProductRow, StockSecret};
use crate::orders::{record_event, Note, Status};
use crate::secrets::Vault;
use crate::store::{now_ms, Held};
use crate::{fields, Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// The longest reason a seller may give.
pub const MAX_REASON: usize = 200;

/// The replacement message, by the product's language (Indonesian when unknown, like the
/// delivery templates).
pub fn replacement_template(language: &str) -> &'static str {
    match language {
        "en" => "Hi {{buyer}}, here is a replacement for your {{product}} ({{order_sn}}):\n{{items}}\n\n{{instructions}}",
        "vi" => "Chào {{buyer}}, đây là mã thay thế cho {{product}} của bạn ({{order_sn}}):\n{{items}}\n\n{{instructions}}",
        "th" => "สวัสดี {{buyer}} นี่คือรายการทดแทนสำหรับ {{product}} ของคุณ ({{order_sn}}):\n{{items}}\n\n{{instructions}}",
        _ => "Halo kak {{buyer}}, ini pengganti untuk {{product}} kakak ({{order_sn}}):\n{{items}}\n\n{{instructions}}",
    }
}

/// What a replacement did.
#[derive(Debug)]
pub struct Replaced {
    pub product_id: i64,
    /// The fresh item, or none while the replacement waits for stock.
    pub replacement: Option<i64>,
    pub delivery_id: Option<i64>,
}

/// A replacement to make: for bad item `old` on a line of an order.
struct Want {
    order_id: i64,
    line_id: i64,
    product_id: i64,
    old: i64,
    /// A pending delivery carrying more than the bad item was withdrawn: send every item.
    whole_order: bool,
}

/// Marks item `item_id` of order `order_id` bad and replaces it (or queues the replacement
/// until stock comes). `lease_ms` is how long a delivery handed to the extension stays its.
pub fn replace_item(
    conn: &Connection,
    vault: &Vault,
    order_id: i64,
    item_id: i64,
    reason: &str,
    actor: &str,
    lease_ms: i64,
) -> Result<Replaced> {
    let reason = fields::one_line("reason", reason, MAX_REASON, true)?;
    let item = item_of_order(conn, order_id, item_id)?;
    let status = replaceable_order(conn, order_id)?;
    match item.status.as_str() {
        "allocated" | "delivered" => {}
        "bad" => {
            let by: Option<i64> = conn
                .prepare_cached("SELECT replaced_by FROM stock_items WHERE id = ?1")?
                .query_row([item_id], |r| r.get(0))?;
            let then = match by {
                Some(by) => format!("replaced by item {by}"),
                None => "its replacement waits for stock".to_string(),
            };
            return Err(Error::conflict(format!(
                "stock item {item_id} is marked bad already ({then}); reload the order"
            )));
        }
        "revealed" => {
            return Err(Error::conflict(format!(
                "stock item {item_id} is held after the order left: put it back in stock or void it"
            )))
        }
        other => {
            return Err(Error::conflict(format!(
            "stock item {item_id} is {other}; only a delivered or allocated item can be replaced"
        )))
        }
    }
    let secret = StockSecret::from_plain(item.kind, &vault.open(&item.secret)?);
    let carriers = carriers(conn, vault, order_id, &parts::item_text(&secret), lease_ms)?;
    let now = now_ms();
    conn.prepare_cached(
        "UPDATE stock_items SET status = 'bad', note = ?2, changed_at = ?3 WHERE id = ?1",
    )?
    .execute(params![item_id, reason, now])?;
    for (id, _) in &carriers {
        conn.prepare_cached(
            "UPDATE deliveries SET status = 'cancelled' WHERE id = ?1 AND status = 'pending'",
        )?
        .execute([id])?;
    }
    let want = Want {
        order_id,
        line_id: item.line_id,
        product_id: item.product_id,
        old: item_id,
        whole_order: carriers.iter().any(|(_, replacement)| !replacement),
    };
    let old = mask_secret(&secret);
    let (note, replacement, delivery_id) = match fill(conn, vault, &want)? {
        Some((new_id, new, delivery_id)) => (
            Note::KeyReplaced { old, new, reason },
            Some(new_id),
            Some(delivery_id),
        ),
        None => {
            conn.prepare_cached(
                "INSERT INTO waiting_replacements (item_id, order_id, product_id, line_id, whole_order, requested_at, actor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![item_id, order_id, item.product_id, item.line_id, want.whole_order, now, actor])?;
            let product: String = conn
                .prepare_cached("SELECT name FROM products WHERE id = ?1")?
                .query_row([item.product_id], |r| r.get(0))?;
            (
                Note::ReplacementWaiting {
                    old,
                    product,
                    reason,
                },
                None,
                None,
            )
        }
    };
    record_event(conn, order_id, Some(status), status, actor, &note)?;
    Ok(Replaced {
        product_id: item.product_id,
        replacement,
        delivery_id,
    })
}

/// The order's status, if a replacement may be made on it now.
fn replaceable_order(conn: &Connection, order_id: i64) -> Result<Status> {
    let (status, attention): (String, Option<String>) = conn
        .prepare_cached("SELECT status, attention_reason FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let status = Status::parse(&status).unwrap_or(Status::NeedsAttention);
    match status {
        Status::Delivering | Status::Delivered | Status::Completed => Ok(status),
        // A refused delivery would go out again as it was, bad item and all.
        Status::NeedsAttention => Err(Error::conflict(format!(
            "order {order_id} waits for you ({}): deliver it first, then replace a key",
            attention.unwrap_or_default()
        ))),
        other => Err(Error::conflict(format!(
            "an order that is {other} gets no replacement"
        ))),
    }
}

/// The order's deliveries still waiting to go out whose text carries `item`, with whether each
/// is a replacement message (which carries nothing else). One a road holds right now cannot be
/// withdrawn: the request is refused until that road is done with it.
fn carriers(
    conn: &Connection,
    vault: &Vault,
    order_id: i64,
    item: &str,
    lease_ms: i64,
) -> Result<Vec<(i64, bool)>> {
    type Row = (i64, Vec<u8>, bool, bool);
    let pending: Vec<Row> = conn
        .prepare_cached(
            "SELECT id, message, replaces_item IS NOT NULL,
                    sending_at IS NOT NULL OR (offered_at IS NOT NULL AND offered_at > ?2)
             FROM deliveries WHERE order_id = ?1 AND status = 'pending' ORDER BY id",
        )?
        .query_map(params![order_id, now_ms() - lease_ms], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (id, sealed, replacement, held) in pending {
        if !vault.open(&sealed)?.contains(item) {
            continue;
        }
        if held {
            return Err(Error::conflict(
                "a delivery with this key is being sent right now; replace it once the delivery \
                 is confirmed (within a few minutes)",
            ));
        }
        out.push((id, replacement));
    }
    Ok(out)
}

/// Takes a fresh item for `w` and queues its delivery; None when the product has none.
/// Returns the item, masked, and the delivery.
fn fill(conn: &Connection, vault: &Vault, w: &Want) -> Result<Option<(i64, String, i64)>> {
    let next: Option<(i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT id, secret FROM stock_items WHERE product_id = ?1 AND status = 'available'
             ORDER BY id LIMIT 1",
        )?
        .query_row([w.product_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((new_id, sealed)) = next else {
        return Ok(None);
    };
    let product = product_row(conn, w.product_id)?
        .ok_or_else(|| Error::not_found(format!("product {}", w.product_id)))?;
    let now = now_ms();
    conn.prepare_cached(
        "UPDATE stock_items SET status = 'allocated', order_line_id = ?2, allocated_at = ?3, changed_at = ?3
         WHERE id = ?1 AND status = 'available'",
    )?
    .execute(params![new_id, w.line_id, now])?;
    conn.prepare_cached("UPDATE stock_items SET replaced_by = ?2 WHERE id = ?1")?
        .execute(params![w.old, new_id])?;
    low_stock::note_taken(&mut Held::new(conn), w.product_id)?;
    let secret = StockSecret::from_plain(product.kind, &vault.open(&sealed)?);
    let delivery_id = if w.whole_order {
        let id = queue(
            conn,
            vault,
            w.order_id,
            &current_items(conn, vault, w.order_id)?,
            None,
            None,
        )?;
        conn.prepare_cached(
            "UPDATE stock_items SET delivery_id = ?2
             WHERE status = 'allocated' AND order_line_id IN (SELECT id FROM order_lines WHERE order_id = ?1)",
        )?
        .execute(params![w.order_id, id])?;
        id
    } else {
        let message = replacement_message(conn, &product, w.order_id, &secret)?;
        let id = queue(conn, vault, w.order_id, &message, Some(w.old), None)?;
        conn.prepare_cached("UPDATE stock_items SET delivery_id = ?2 WHERE id = ?1")?
            .execute(params![new_id, id])?;
        id
    };
    Ok(Some((new_id, mask_secret(&secret), delivery_id)))
}

/// One fresh item in the replacement template of the product's language.
fn replacement_message(
    conn: &Connection,
    product: &ProductRow,
    order_id: i64,
    secret: &StockSecret,
) -> Result<Rendered> {
    let (buyer, order_sn) = addressee(conn, order_id)?;
    let language: String = conn
        .prepare_cached("SELECT language FROM products WHERE id = ?1")?
        .query_row([product.id], |r| r.get(0))?;
    Ok(parts::render(
        replacement_template(&language),
        &Values {
            buyer: &buyer,
            order_sn: &order_sn,
            product: &product.name,
            items: "",
            quantity: 1,
            instructions: &product.instructions,
        },
        parts::items_of(product.kind, std::slice::from_ref(secret)),
    ))
}

/// Fills the replacements that wait for stock, oldest first; returns how many went out.
pub fn fill_waiting(conn: &Connection, vault: &Vault, actor: &str) -> Result<usize> {
    type Row = (i64, i64, i64, i64, bool);
    let waiting: Vec<Row> = conn
        .prepare_cached(
            "SELECT item_id, order_id, product_id, line_id, whole_order FROM waiting_replacements
             ORDER BY requested_at, item_id",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut dry = Vec::new();
    let mut filled = 0;
    for (old, order_id, product_id, line_id, whole_order) in waiting {
        if dry.contains(&product_id) {
            continue;
        }
        let want = Want {
            order_id,
            line_id,
            product_id,
            old,
            whole_order,
        };
        let Some((_, new, _)) = fill(conn, vault, &want)? else {
            dry.push(product_id);
            continue;
        };
        conn.prepare_cached("DELETE FROM waiting_replacements WHERE item_id = ?1")?
            .execute([old])?;
        let (kind, sealed, reason, status): (String, Vec<u8>, Option<String>, String) = conn
            .prepare_cached(
                "SELECT p.kind, s.secret, s.note, o.status FROM stock_items s
                 JOIN products p ON p.id = s.product_id, orders o WHERE s.id = ?1 AND o.id = ?2",
            )?
            .query_row(params![old, order_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        let kind = crate::catalog::Kind::parse(&kind).unwrap_or(crate::catalog::Kind::LicenseKey);
        let status = Status::parse(&status).unwrap_or(Status::NeedsAttention);
        let note = Note::KeyReplaced {
            old: masked(vault, kind, &sealed)?,
            new,
            reason: reason.unwrap_or_default(),
        };
        record_event(conn, order_id, Some(status), status, actor, &note)?;
        filled += 1;
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Kind;
    use crate::delivery::template::validate;

    #[test]
    fn every_replacement_template_is_a_valid_stock_template() {
        for lang in ["id", "en", "vi", "th", "xx"] {
            let t = replacement_template(lang);
            validate(t, Kind::LicenseKey).unwrap();
            validate(t, Kind::Account).unwrap();
        }
        assert!(replacement_template("en").starts_with("Hi {{buyer}}, here is a replacement"));
        assert_eq!(replacement_template("xx"), replacement_template("id"));
    }
}
