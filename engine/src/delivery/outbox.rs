//! The outbox of rendered deliveries. The extension leases pending ones, posts them in the
//! buyer's chat and confirms each by id; a lease that is not confirmed within the offer timeout
//! runs out and the delivery is offered again.

use super::parts;
use crate::orders::{record_event, transition, ts, Buyer, DeliveryInfo, Note, Status};
use crate::secrets::Vault;
use crate::store::now_ms;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, params_from_iter, types::Value, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A delivery to post in the buyer's chat.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingDelivery {
    pub id: i64,
    pub order_id: i64,
    pub order_sn: String,
    pub shop: String,
    pub buyer: Buyer,
    /// The text the buyer gets, items included.
    pub message: String,
    /// The same text in chat-sized parts, to be posted one after the other in this order and
    /// confirmed once every part shows in the chat (one part, the message, when it fits).
    pub parts: Vec<String>,
    /// How many times it was handed out, this time included.
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
}

/// Which pending deliveries to fetch.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryFilter {
    /// Only `pending` can be fetched (the default).
    pub status: Option<String>,
    /// 1 to 100, default 20.
    pub limit: Option<i64>,
    pub shop: Option<String>,
    pub order_sn: Option<String>,
}

/// Leases up to `limit` deliveries that are pending and not leased by someone else right now.
/// The caller must make them durable before handing them out.
pub fn lease_pending(
    conn: &Connection,
    vault: &Vault,
    f: &DeliveryFilter,
    timeout_ms: i64,
) -> Result<Vec<PendingDelivery>> {
    if f.status.as_deref().is_some_and(|s| s != "pending") {
        return Err(Error::invalid(
            "only status=pending can be fetched; an order's page shows its delivery history",
        ));
    }
    let limit = f.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(Error::invalid("limit must be between 1 and 100"));
    }
    let now = now_ms();
    let mut sql = String::from(
        "SELECT d.id, d.order_id, o.order_sn, o.shop, o.buyer_username, o.buyer_user_id, d.message, d.attempts, d.created_at, d.parts
         FROM deliveries d JOIN orders o ON o.id = d.order_id
         WHERE d.status = 'pending' AND d.sending_at IS NULL
           AND (d.offered_at IS NULL OR d.offered_at <= ?)",
    );
    let mut args = vec![Value::Integer(now - timeout_ms)];
    if let Some(shop) = &f.shop {
        sql += " AND o.shop = ?";
        args.push(Value::Text(shop.clone()));
    }
    if let Some(sn) = &f.order_sn {
        // Drive from the order (indexed) rather than scanning every pending delivery.
        sql += " AND d.order_id IN (SELECT id FROM orders WHERE order_sn = ?)";
        args.push(Value::Text(sn.clone()));
    }
    sql += " ORDER BY d.id LIMIT ?";
    args.push(Value::Integer(limit));
    type Sealed = (Vec<u8>, Option<Vec<u8>>);
    let rows: Vec<(PendingDelivery, Sealed)> = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args), |r| {
            Ok((
                PendingDelivery {
                    id: r.get(0)?,
                    order_id: r.get(1)?,
                    order_sn: r.get(2)?,
                    shop: r.get(3)?,
                    buyer: Buyer {
                        username: r.get(4)?,
                        user_id: r.get(5)?,
                    },
                    message: String::new(),
                    parts: Vec::new(),
                    attempts: r.get::<_, i64>(7)? + 1,
                    created_at: ts(r.get(8)?),
                },
                (r.get(6)?, r.get(9)?),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut lease = conn.prepare_cached(
        "UPDATE deliveries SET offered_at = ?2, attempts = attempts + 1, road = 'extension' WHERE id = ?1",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (mut d, (sealed, sealed_parts)) in rows {
        lease.execute(params![d.id, now])?;
        d.message = vault.open(&sealed)?;
        d.parts = parts::open(vault, &d.message, sealed_parts.as_deref())?;
        out.push(d);
    }
    Ok(out)
}

/// Confirms that a delivery was posted. Repeats are no-ops. When an order has nothing left
/// to send it becomes delivered (and completed, if Shopee said so already).
pub fn confirm(conn: &Connection, delivery_id: i64, actor: &str) -> Result<(DeliveryInfo, i64)> {
    let (order_id, status): (i64, String) = conn
        .prepare_cached("SELECT order_id, status FROM deliveries WHERE id = ?1")?
        .query_row([delivery_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("delivery {delivery_id}")))?;
    if status != "sent" {
        conn.prepare_cached(
            "UPDATE deliveries SET status = 'sent', confirmed_at = ?2 WHERE id = ?1",
        )?
        .execute(params![delivery_id, now_ms()])?;
        // Its items (a resend's are those of the delivery it repeats) are in the buyer's
        // hands now: a later cancellation cannot put them back in the pool.
        conn.prepare_cached(
            "WITH RECURSIVE chain (id, up) AS (
                 SELECT id, resend_of FROM deliveries WHERE id = ?1
                 UNION ALL SELECT d.id, d.resend_of FROM deliveries d JOIN chain c ON d.id = c.up)
             UPDATE stock_items SET status = 'delivered', changed_at = ?2
             WHERE status = 'allocated' AND delivery_id IN (SELECT id FROM chain)",
        )?
        .execute(params![delivery_id, now_ms()])?;
        let (order_status, shop_status): (String, Option<String>) = conn
            .prepare_cached("SELECT status, shop_status FROM orders WHERE id = ?1")?
            .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let order_status = Status::parse(&order_status).unwrap_or(Status::NeedsAttention);
        let still_pending: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM deliveries WHERE order_id = ?1 AND status = 'pending'",
            )?
            .query_row([order_id], |r| r.get(0))?;
        if status == "cancelled" {
            record_event(
                conn,
                order_id,
                Some(order_status),
                order_status,
                actor,
                &Note::CancelledDeliverySent,
            )?;
        } else if order_status == Status::Delivering && still_pending == 0 {
            transition(
                conn,
                order_id,
                Status::Delivering,
                Status::Delivered,
                actor,
                &Note::DeliveryConfirmed,
            )?;
            if shop_status.as_deref() == Some("completed") {
                transition(
                    conn,
                    order_id,
                    Status::Delivered,
                    Status::Completed,
                    "engine",
                    &Note::ShopeeCompleted,
                )?;
            }
        } else if status == "pending" && order_status != Status::Delivering {
            let replacement: bool = conn
                .prepare_cached("SELECT replaces_item IS NOT NULL FROM deliveries WHERE id = ?1")?
                .query_row([delivery_id], |r| r.get(0))?;
            record_event(
                conn,
                order_id,
                Some(order_status),
                order_status,
                actor,
                &if replacement {
                    Note::ReplacementConfirmed
                } else {
                    Note::ResentDeliveryConfirmed
                },
            )?;
        }
    }
    let info = delivery_info(conn, delivery_id)?;
    Ok((info, order_id))
}

/// The status of an order that may have its delivery sent again, or why it may not.
pub(super) fn resendable(conn: &Connection, order_id: i64) -> Result<Status> {
    let status: String = conn
        .prepare_cached("SELECT status FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("order {order_id}")))?;
    let status = Status::parse(&status).unwrap_or(Status::NeedsAttention);
    if !matches!(
        status,
        Status::Delivering | Status::Delivered | Status::Completed
    ) {
        return Err(Error::conflict(format!(
            "an order that is {status} has no delivery to resend"
        )));
    }
    Ok(status)
}

/// Queues the order's last delivered message again (same items, nothing new allocated).
pub fn resend(conn: &Connection, order_id: i64, actor: &str) -> Result<DeliveryInfo> {
    let status = resendable(conn, order_id)?;
    type Last = (i64, Vec<u8>, Option<Vec<u8>>);
    let last: Option<Last> = conn
        .prepare_cached("SELECT id, message, parts FROM deliveries WHERE order_id = ?1 AND status != 'cancelled' ORDER BY id DESC LIMIT 1")?
        .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((last_id, message, sealed_parts)) = last else {
        return Err(Error::conflict(
            "this order was delivered by hand; there is no message to resend",
        ));
    };
    // The same parts as the first time (cut under the limit of then): the buyer sees the same
    // messages again.
    conn.prepare_cached("INSERT INTO deliveries (order_id, message, parts, status, created_at, resend_of) VALUES (?1, ?2, ?3, 'pending', ?4, ?5)")?
        .execute(params![order_id, message, sealed_parts, now_ms(), last_id])?;
    let id = conn.last_insert_rowid();
    record_event(
        conn,
        order_id,
        Some(status),
        status,
        actor,
        &Note::ResendRequested,
    )?;
    delivery_info(conn, id)
}

/// Cancels the order's unsent deliveries (refund, cancel). Their items stay burned.
pub fn cancel_pending(conn: &Connection, order_id: i64) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "UPDATE deliveries SET status = 'cancelled' WHERE order_id = ?1 AND status = 'pending'",
        )?
        .execute([order_id])?)
}

const INFO_COLUMNS: &str =
    "id, status, attempts, created_at, confirmed_at, resend_of, message, road, message_id, parts, parts_sent";

fn info_from_row(
    r: &rusqlite::Row,
    vault: Option<&Vault>,
) -> rusqlite::Result<Result<DeliveryInfo>> {
    let sealed: Vec<u8> = r.get(6)?;
    let message = match vault.map(|v| v.open(&sealed)) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => return Ok(Err(e)),
    };
    let sealed_parts: Option<Vec<u8>> = r.get(9)?;
    let parts = match (vault, &message) {
        (Some(v), Some(m)) => match parts::open(v, m, sealed_parts.as_deref()) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        },
        _ => Vec::new(),
    };
    Ok(Ok(DeliveryInfo {
        id: r.get(0)?,
        status: r.get(1)?,
        attempts: r.get(2)?,
        created_at: ts(r.get(3)?),
        confirmed_at: r.get::<_, Option<i64>>(4)?.map(ts),
        resend_of: r.get(5)?,
        road: r.get(7)?,
        message_id: r.get(8)?,
        message,
        parts,
        parts_sent: r.get(10)?,
    }))
}

fn delivery_info(conn: &Connection, id: i64) -> Result<DeliveryInfo> {
    conn.prepare_cached(&format!(
        "SELECT {INFO_COLUMNS} FROM deliveries WHERE id = ?1"
    ))?
    .query_row([id], |r| info_from_row(r, None))?
}

/// An order's deliveries, oldest first; the messages only when `reveal`.
pub fn deliveries_of(
    conn: &Connection,
    vault: &Vault,
    order_id: i64,
    reveal: bool,
) -> Result<Vec<DeliveryInfo>> {
    let vault = reveal.then_some(vault);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {INFO_COLUMNS} FROM deliveries WHERE order_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([order_id], |r| info_from_row(r, vault))?;
    rows.map(|r| r?).collect()
}
