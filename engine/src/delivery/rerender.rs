//! Rendering an order's delivery afresh from the items it holds now: what a replacement sends
//! when it withdrew a delivery that carried more than the bad item, and what a resend sends
//! once anything of the order was replaced (the last message may hold a bad item).

use super::parts::{self, Items, Rendered};
use super::template::Values;
use crate::catalog::{product_row, StockSecret};
use crate::orders::{record_event, Note};
use crate::secrets::Vault;
use crate::store::now_ms;
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// The buyer and order number of an order.
pub(super) fn addressee(conn: &Connection, order_id: i64) -> Result<(String, String)> {
    Ok(conn
        .prepare_cached("SELECT buyer_username, order_sn FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The order's message as it stands now: every line in its product's template with the items
/// the order holds (allocated or delivered; never a bad one).
pub fn current_items(conn: &Connection, vault: &Vault, order_id: i64) -> Result<Rendered> {
    let (buyer, order_sn) = addressee(conn, order_id)?;
    let lines: Vec<(i64, i64, Option<i64>)> = conn
        .prepare_cached(
            "SELECT id, quantity, product_id FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
        )?
        .query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut rendered = Vec::with_capacity(lines.len());
    for (line_id, quantity, product_id) in lines {
        let Some(product) = product_id
            .map(|p| product_row(conn, p))
            .transpose()?
            .flatten()
        else {
            continue;
        };
        let items = if product.kind.has_stock() {
            let sealed: Vec<Vec<u8>> = conn
                .prepare_cached(
                    "SELECT secret FROM stock_items WHERE order_line_id = ?1
                       AND status IN ('allocated', 'delivered') ORDER BY id",
                )?
                .query_map([line_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if sealed.is_empty() {
                continue;
            }
            let secrets = sealed
                .iter()
                .map(|s| Ok(StockSecret::from_plain(product.kind, &vault.open(s)?)))
                .collect::<Result<Vec<_>>>()?;
            parts::items_of(product.kind, &secrets)
        } else {
            Items::Text(&product.content)
        };
        rendered.push(parts::render(
            &product.template,
            &Values {
                buyer: &buyer,
                order_sn: &order_sn,
                product: &product.name,
                items: "",
                quantity,
                instructions: &product.instructions,
            },
            items,
        ));
    }
    Ok(Rendered::join(rendered, "\n\n"))
}

/// Queues a rendered delivery (sealed, in chat-sized parts); returns its id.
pub(super) fn queue(
    conn: &Connection,
    vault: &Vault,
    order_id: i64,
    rendered: &Rendered,
    replaces_item: Option<i64>,
    resend_of: Option<i64>,
) -> Result<i64> {
    let message = rendered.text();
    let chunks = parts::parts_for(conn, rendered)?;
    conn.prepare_cached(
        "INSERT INTO deliveries (order_id, message, parts, status, created_at, replaces_item, resend_of)
         VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6)",
    )?
    .execute(params![
        order_id,
        vault.seal(message),
        parts::seal(vault, message, &chunks),
        now_ms(),
        replaces_item,
        resend_of
    ])?;
    Ok(conn.last_insert_rowid())
}

/// After a replacement, a resend carries the order's items as they stand (the bad one never
/// again), rendered afresh; returns the new delivery, or None when nothing of the order was
/// replaced (the plain resend repeats the last message then).
pub fn resend_current(
    conn: &Connection,
    vault: &Vault,
    order_id: i64,
    actor: &str,
) -> Result<Option<i64>> {
    let replaced: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM stock_items s JOIN order_lines l ON l.id = s.order_line_id
                            WHERE l.order_id = ?1 AND s.status = 'bad')",
        )?
        .query_row([order_id], |r| r.get(0))?;
    if !replaced {
        return Ok(None);
    }
    let status = super::outbox::resendable(conn, order_id)?;
    let rendered = current_items(conn, vault, order_id)?;
    if rendered.text().is_empty() {
        return Err(Error::conflict(
            "this order holds no item to resend; its replacement waits for stock",
        ));
    }
    let last: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM deliveries WHERE order_id = ?1 AND status != 'cancelled' ORDER BY id DESC LIMIT 1",
        )?
        .query_row([order_id], |r| r.get(0))
        .optional()?;
    let id = queue(conn, vault, order_id, &rendered, None, last)?;
    record_event(
        conn,
        order_id,
        Some(status),
        status,
        actor,
        &Note::ResendRequested,
    )?;
    Ok(Some(id))
}
