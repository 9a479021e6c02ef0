//! Reading orders: one, a filtered page, the trail, a CSV export.

use super::{ts, Buyer, Event, Line, Order, OrderDetail, Status};
use crate::delivery;
use crate::secrets::Vault;
use crate::{money, Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params_from_iter, types::Value, Connection, OptionalExtension, Row};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

const COLUMNS: &str =
    "id, shop, order_sn, status, attention_reason, attention_detail, buyer_username, \
                       buyer_user_id, total_minor, currency, created_at, paid_at, updated_at, \
                       attention_params";

fn from_row(r: &Row) -> rusqlite::Result<Order> {
    let currency: String = r.get(9)?;
    let status: String = r.get(3)?;
    Ok(Order {
        id: r.get(0)?,
        shop: r.get(1)?,
        order_sn: r.get(2)?,
        status: Status::parse(&status).unwrap_or(Status::NeedsAttention),
        attention_reason: r.get(4)?,
        attention_detail: r.get(5)?,
        buyer: Buyer {
            username: r.get(6)?,
            user_id: r.get(7)?,
        },
        lines: Vec::new(),
        total: money::from_minor(r.get(8)?, &currency),
        currency,
        created_at: ts(r.get(10)?),
        paid_at: r.get::<_, Option<i64>>(11)?.map(ts),
        updated_at: ts(r.get(12)?),
        attention_params: super::parse_params(r.get::<_, Option<String>>(13)?.as_deref()),
    })
}

/// Lines with their product's name and how they find it: "listing" when one of the product's
/// listings names the line's Shopee item (model, shop), else "sku", read from the mappings as
/// they are now. The listings are searched through the product (indexed), not the item.
const LINE_SELECT: &str = "SELECT l.order_id, l.id, l.sku, l.item_id, l.model_id, l.quantity, \
     l.unit_price_minor, l.product_id, p.name, \
     CASE WHEN p.id IS NULL THEN NULL \
          WHEN l.item_id IS NOT NULL AND EXISTS (SELECT 1 FROM listings li \
               WHERE li.product_id = l.product_id AND li.item_id = l.item_id \
                 AND (li.model_id IS NULL OR li.model_id = l.model_id) \
                 AND (li.shop IS NULL OR li.shop = o.shop)) THEN 'listing' \
          ELSE 'sku' END \
     FROM order_lines l JOIN orders o ON o.id = l.order_id \
     LEFT JOIN products p ON p.id = l.product_id";

fn line_from_row(r: &Row, currency: &str) -> rusqlite::Result<Line> {
    Ok(Line {
        id: r.get(1)?,
        sku: r.get(2)?,
        item_id: r.get(3)?,
        model_id: r.get(4)?,
        quantity: r.get(5)?,
        unit_price: money::from_minor(r.get(6)?, currency),
        product_id: r.get(7)?,
        product_name: r.get(8)?,
        matched_by: r.get(9)?,
    })
}

fn lines_of(conn: &Connection, order_id: i64, currency: &str) -> Result<Vec<Line>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{LINE_SELECT} WHERE l.order_id = ?1 ORDER BY l.line_no"
    ))?;
    let rows = stmt.query_map([order_id], |r| line_from_row(r, currency))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Fills the lines of a page of orders with one query (not one per order).
fn fill_lines(conn: &Connection, orders: &mut [Order]) -> Result<()> {
    if orders.is_empty() {
        return Ok(());
    }
    let marks = vec!["?"; orders.len()].join(",");
    let mut stmt = conn.prepare(&format!(
        "{LINE_SELECT} WHERE l.order_id IN ({marks}) ORDER BY l.order_id, l.line_no"
    ))?;
    let index: std::collections::HashMap<i64, usize> =
        orders.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    let mut rows = stmt.query(params_from_iter(orders.iter().map(|o| o.id)))?;
    while let Some(r) = rows.next()? {
        let order_id: i64 = r.get(0)?;
        if let Some(&i) = index.get(&order_id) {
            let line = line_from_row(r, &orders[i].currency)?;
            orders[i].lines.push(line);
        }
    }
    Ok(())
}

/// One order with its lines, if it exists.
pub fn load_order(conn: &Connection, id: i64) -> Result<Option<Order>> {
    let order = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    match order {
        Some(mut o) => {
            o.lines = lines_of(conn, o.id, &o.currency)?;
            Ok(Some(o))
        }
        None => Ok(None),
    }
}

/// One order, or a not-found error.
pub fn get_order(conn: &Connection, id: i64) -> Result<Order> {
    load_order(conn, id)?.ok_or_else(|| Error::not_found(format!("order {id}")))
}

/// An order with its trail and deliveries; the delivery texts only when `reveal`.
pub fn get_order_detail(
    conn: &Connection,
    vault: &Vault,
    id: i64,
    reveal: bool,
) -> Result<OrderDetail> {
    let order = get_order(conn, id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT at, from_status, to_status, actor, reason, code, params FROM order_events WHERE order_id = ?1 ORDER BY id",
    )?;
    let trail: Vec<Event> = stmt
        .query_map([id], |r| {
            let from: Option<String> = r.get(1)?;
            let to: String = r.get(2)?;
            Ok(Event {
                at: ts(r.get(0)?),
                from: from.and_then(|f| Status::parse(&f)),
                to: Status::parse(&to).unwrap_or(Status::NeedsAttention),
                actor: r.get(3)?,
                reason: r.get(4)?,
                code: r.get(5)?,
                params: super::parse_params(r.get::<_, Option<String>>(6)?.as_deref()),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let deliveries = delivery::deliveries_of(conn, vault, id, reveal)?;
    let road = road_of(&trail);
    Ok(OrderDetail {
        order,
        trail,
        deliveries,
        road,
    })
}

/// The road an order first came by, from who reported it first.
fn road_of(trail: &[Event]) -> String {
    match trail.first().map(|e| e.actor.as_str()) {
        Some("extension") => "extension",
        Some("open_platform") => "open_platform",
        _ => "manual",
    }
    .to_string()
}

/// Filters of the orders list; every one optional.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderFilter {
    /// One status, or several separated by commas.
    pub status: Option<String>,
    /// Orders created at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Orders created before this time.
    pub to: Option<DateTime<Utc>>,
    /// Part of the buyer's username or of the order number.
    pub q: Option<String>,
    pub product_id: Option<i64>,
    pub shop: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of orders, newest first (shared with the UI).
pub use auto_api::OrderPage;

/// Lists orders, newest first, with keyset paging on the id.
pub fn list_orders(conn: &Connection, f: &OrderFilter) -> Result<OrderPage> {
    let limit = f.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit must be between 1 and 500"));
    }
    let mut sql = format!("SELECT {COLUMNS} FROM orders o WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(status) = f.status.as_deref().filter(|s| !s.is_empty()) {
        let mut marks = Vec::new();
        for s in status.split(',') {
            let st = Status::parse(s.trim()).ok_or_else(|| {
                Error::invalid(format!("unknown status '{}' in the filter", s.trim()))
            })?;
            args.push(Value::Text(st.as_str().into()));
            marks.push("?");
        }
        sql += &format!(" AND o.status IN ({})", marks.join(","));
    }
    if let Some(from) = f.from {
        args.push(Value::Integer(from.timestamp_millis()));
        sql += " AND o.created_at >= ?";
    }
    if let Some(to) = f.to {
        args.push(Value::Integer(to.timestamp_millis()));
        sql += " AND o.created_at < ?";
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        args.push(Value::Text(pattern.clone()));
        args.push(Value::Text(pattern));
        sql += " AND (o.buyer_username LIKE ? ESCAPE '\\' OR o.order_sn LIKE ? ESCAPE '\\')";
    }
    if let Some(p) = f.product_id {
        args.push(Value::Integer(p));
        sql += " AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.product_id = ?)";
    }
    if let Some(shop) = &f.shop {
        args.push(Value::Text(shop.clone()));
        sql += " AND o.shop = ?";
    }
    if let Some(cursor) = f.cursor.as_deref().filter(|c| !c.is_empty()) {
        let before: i64 = cursor
            .parse()
            .map_err(|_| Error::invalid("cursor is not one this API gave out"))?;
        args.push(Value::Integer(before));
        sql += " AND o.id < ?";
    }
    args.push(Value::Integer(limit + 1));
    sql += " ORDER BY o.id DESC LIMIT ?";
    let mut stmt = conn.prepare(&sql)?;
    let mut orders: Vec<Order> = stmt
        .query_map(params_from_iter(args), from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let next_cursor = if orders.len() as i64 > limit {
        orders.truncate(limit as usize);
        orders.last().map(|o| o.id.to_string())
    } else {
        None
    };
    fill_lines(conn, &mut orders)?;
    Ok(OrderPage {
        orders,
        next_cursor,
    })
}

/// Separates the product names of an order's lines in the export's `products` cell: names hold
/// spaces and commas, rarely a bar.
const NAME_SEPARATOR: &str = " | ";

/// Writes every order as CSV (one row per order; no secrets). Columns are only ever appended
/// (spreadsheets and scripts read them by position); `products` names each line's product as
/// the orders list does, in line order, empty for a line matched to none.
pub fn export_csv(conn: &Connection, out: impl std::io::Write) -> Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| Error::Io(std::io::Error::other(e.to_string()));
    w.write_record([
        "order_sn",
        "shop",
        "status",
        "attention_reason",
        "buyer_username",
        "buyer_user_id",
        "skus",
        "quantity",
        "total",
        "currency",
        "created_at",
        "paid_at",
        "products",
    ])
    .map_err(io)?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS}, (SELECT group_concat(sku, ' ') FROM order_lines WHERE order_id = o.id),
                (SELECT sum(quantity) FROM order_lines WHERE order_id = o.id)
         FROM orders o ORDER BY id"
    ))?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    // The two sums follow the order's columns, however many those are.
    let after = COLUMNS.split(',').count();
    while let Some(r) = rows.next()? {
        let o = from_row(r)?;
        let skus: Option<String> = r.get(after)?;
        let qty: Option<i64> = r.get(after + 1)?;
        let products = lines_of(conn, o.id, &o.currency)?
            .into_iter()
            .map(|l| l.product_name.unwrap_or_default())
            .collect::<Vec<_>>()
            .join(NAME_SEPARATOR);
        w.write_record([
            o.order_sn,
            o.shop,
            o.status.to_string(),
            o.attention_reason.unwrap_or_default(),
            o.buyer.username,
            o.buyer.user_id.map(|u| u.to_string()).unwrap_or_default(),
            skus.unwrap_or_default(),
            qty.unwrap_or(0).to_string(),
            o.total.to_string(),
            o.currency,
            o.created_at.to_rfc3339(),
            o.paid_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            products,
        ])
        .map_err(io)?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}
