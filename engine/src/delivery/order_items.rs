//! The stock items an order holds or held, masked, for the order page: what was sent, what was
//! replaced by what, what waits for the seller's decision after the order left.

use super::returns::masked;
use crate::catalog::Kind;
use crate::orders::ts;
use crate::secrets::Vault;
use crate::{Error, Result};
use rusqlite::{Connection, OptionalExtension};

/// An order's stock items, masked (shared with the UI).
pub use auto_api::{OrderItem, OrderItems};

/// The items of an order (every status an item of an order can have).
pub fn order_items(conn: &Connection, vault: &Vault, order_id: i64) -> Result<OrderItems> {
    let exists: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| r.get(0))
        .optional()?;
    if exists.is_none() {
        return Err(Error::not_found(format!("order {order_id}")));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.order_line_id, s.product_id, p.name, p.kind, s.secret, s.status, s.note,
                s.delivery_id, s.replaced_by, s.changed_at,
                EXISTS (SELECT 1 FROM waiting_replacements w WHERE w.item_id = s.id)
         FROM order_lines l JOIN stock_items s ON s.order_line_id = l.id
         JOIN products p ON p.id = s.product_id
         WHERE l.order_id = ?1 ORDER BY l.line_no, s.id",
    )?;
    let rows = stmt.query_map([order_id], |r| {
        let kind: String = r.get(4)?;
        let sealed: Vec<u8> = r.get(5)?;
        Ok((
            OrderItem {
                id: r.get(0)?,
                line_id: r.get(1)?,
                product_id: r.get(2)?,
                product: r.get(3)?,
                masked: String::new(),
                status: r.get(6)?,
                note: r.get(7)?,
                delivery_id: r.get(8)?,
                replaced_by: r.get(9)?,
                replaces: None,
                replacement_waiting: r.get(11)?,
                changed_at: r.get::<_, Option<i64>>(10)?.map(ts),
            },
            Kind::parse(&kind).unwrap_or(Kind::LicenseKey),
            sealed,
        ))
    })?;
    let mut items = Vec::new();
    for row in rows {
        let (mut item, kind, sealed) = row?;
        item.masked = masked(vault, kind, &sealed)?;
        items.push(item);
    }
    // The item a replacement stands in for is of the same line, so it is in this list.
    let pairs: Vec<(i64, i64)> = items
        .iter()
        .filter_map(|i| i.replaced_by.map(|by| (by, i.id)))
        .collect();
    for (by, old) in pairs {
        if let Some(new) = items.iter_mut().find(|i| i.id == by) {
            new.replaces = Some(old);
        }
    }
    Ok(OrderItems { order_id, items })
}
