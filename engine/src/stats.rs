//! The dashboard's figures: orders, revenue and deliveries per local day, what waits for the
//! seller, and how many buyer questions were answered without them. Read-only SQL over the
//! system of record; days are the seller's local days (the UI sends its UTC offset).

use crate::{money, Error, Result};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

const DAY_MS: i64 = 86_400_000;
/// Statuses of an order that was paid and not given back: what counts as sold.
const SOLD: &str = "('paid', 'delivering', 'delivered', 'completed', 'needs_attention')";

/// The dashboard's figures (shared with the UI; the engine's names kept as aliases).
pub use auto_api::{
    Amount as Money, AnswerStats as AnswerFigures, Dashboard, DayStats as DayFigures, StockWarning,
};

/// What the extension's popup shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Today {
    pub orders_today: i64,
    pub pending_deliveries: i64,
    pub needs_attention: i64,
}

/// The local day number of a Unix-ms time.
fn day_of(ms: i64, offset_ms: i64) -> i64 {
    (ms + offset_ms).div_euclid(DAY_MS)
}

fn check_window(days: i64, tz_offset_minutes: i64) -> Result<i64> {
    if !(1..=366).contains(&days) {
        return Err(Error::invalid("days must be between 1 and 366"));
    }
    if !(-720..=840).contains(&tz_offset_minutes) {
        return Err(Error::invalid(
            "tz_offset_minutes must be between -720 and 840 (UTC+7 is 420)",
        ));
    }
    Ok(tz_offset_minutes * 60_000)
}

/// The dashboard over the last `days` local days up to `now_ms`.
pub fn dashboard(
    conn: &Connection,
    days: i64,
    tz_offset_minutes: i64,
    now_ms: i64,
) -> Result<Dashboard> {
    let offset = check_window(days, tz_offset_minutes)?;
    let today = day_of(now_ms, offset);
    let first = today - days + 1;
    let since = first * DAY_MS - offset;

    let mut per_day: BTreeMap<i64, DayFigures> = (first..=today)
        .map(|d| {
            let date = chrono::DateTime::from_timestamp_millis(d * DAY_MS)
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            (
                d,
                DayFigures {
                    date,
                    ..Default::default()
                },
            )
        })
        .collect();
    let mut revenue: BTreeMap<(i64, String), i64> = BTreeMap::new();

    let mut stmt = conn.prepare(&format!(
        "SELECT paid_at, total_minor, currency FROM orders
         WHERE paid_at >= ?1 AND status IN {SOLD}"
    ))?;
    let mut rows = stmt.query([since])?;
    while let Some(r) = rows.next()? {
        let day = day_of(r.get(0)?, offset);
        if let Some(f) = per_day.get_mut(&day) {
            f.orders += 1;
            *revenue.entry((day, r.get(2)?)).or_default() += r.get::<_, i64>(1)?;
        }
    }
    let mut stmt = conn.prepare(
        "SELECT confirmed_at FROM deliveries WHERE status = 'sent' AND confirmed_at >= ?1",
    )?;
    let mut rows = stmt.query([since])?;
    while let Some(r) = rows.next()? {
        if let Some(f) = per_day.get_mut(&day_of(r.get(0)?, offset)) {
            f.delivered += 1;
        }
    }
    for ((day, currency), minor) in revenue {
        if let Some(f) = per_day.get_mut(&day) {
            f.revenue.push(Money {
                amount: money::from_minor(minor, &currency),
                currency,
            });
        }
    }
    let days: Vec<DayFigures> = per_day.into_values().collect();
    let today_figures = days.last().cloned().unwrap_or_default();

    Ok(Dashboard {
        today: today_figures,
        days,
        pending_deliveries: pending_deliveries(conn)?,
        needs_attention: needs_attention(conn)?,
        stock_warnings: stock_warnings(conn)?,
        answers: answers(conn, since)?,
        unknown_status: unknown_status(conn)?,
        extension: crate::extension_health::read(conn)?,
    })
}

/// Today's orders and what waits, for the extension's popup.
pub fn today(conn: &Connection, tz_offset_minutes: i64, now_ms: i64) -> Result<Today> {
    let offset = check_window(1, tz_offset_minutes)?;
    let since = day_of(now_ms, offset) * DAY_MS - offset;
    Ok(Today {
        orders_today: conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM orders WHERE paid_at >= ?1 AND status IN {SOLD}"
            ))?
            .query_row([since], |r| r.get(0))?,
        pending_deliveries: pending_deliveries(conn)?,
        needs_attention: needs_attention(conn)?,
    })
}

/// Deliveries waiting in the outbox for the extension.
fn pending_deliveries(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM deliveries WHERE status = 'pending'")?
        .query_row([], |r| r.get(0))?)
}

/// Orders waiting for the seller (no stock, unknown SKU, send failed).
fn needs_attention(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM orders WHERE status = 'needs_attention'")?
        .query_row([], |r| r.get(0))?)
}

/// Unpaid orders waiting because their reported status is unknown to AUTO.
fn unknown_status(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM orders WHERE status = 'unpaid' AND attention_reason = ?1",
        )?
        .query_row([crate::orders::UNKNOWN_STATUS], |r| r.get(0))?)
}

/// Active stock products at or below their low-stock threshold, emptiest first.
fn stock_warnings(conn: &Connection) -> Result<Vec<StockWarning>> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.name, p.low_stock_threshold,
                (SELECT count(*) FROM stock_items s WHERE s.product_id = p.id AND s.status = 'available') AS available,
                p.low_stock_since
         FROM products p
         WHERE p.active = 1 AND p.kind IN ('license_key', 'voucher', 'account')
         ORDER BY available, p.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StockWarning {
            product_id: r.get(0)?,
            name: r.get(1)?,
            threshold: r.get(2)?,
            available: r.get(3)?,
            low_since: r
                .get::<_, Option<i64>>(4)?
                .and_then(chrono::DateTime::from_timestamp_millis),
            waiting: 0,
        })
    })?;
    let mut out = Vec::new();
    for w in rows {
        let mut w = w?;
        if w.available <= w.threshold {
            w.waiting = crate::catalog::low_stock::waiting_orders(conn, w.product_id)?;
            out.push(w);
        }
    }
    Ok(out)
}

/// Buyer messages since `since` by what became of them.
fn answers(conn: &Connection, since: i64) -> Result<AnswerFigures> {
    let mut a = AnswerFigures::default();
    let mut stmt = conn.prepare(
        "SELECT m.state,
                (SELECT r.source FROM replies r
                  WHERE r.message_id = m.id AND r.status IN ('pending', 'sent')
                    AND r.approved_at IS NULL AND r.source IN ('faq', 'llm')
                  ORDER BY r.id LIMIT 1)
         FROM messages m WHERE m.direction = 'in' AND m.created_at >= ?1",
    )?;
    let mut rows = stmt.query(params![since])?;
    while let Some(r) = rows.next()? {
        a.total += 1;
        let state: String = r.get(0)?;
        match (state.as_str(), r.get::<_, Option<String>>(1)?.as_deref()) {
            (_, Some("faq")) => a.faq += 1,
            (_, Some("llm")) => a.llm += 1,
            ("drafted", _) => a.drafts += 1,
            ("waiting", _) => a.waiting += 1,
            _ => {}
        }
    }
    if a.total > 0 {
        a.auto_rate = (a.faq + a.llm) as f64 / a.total as f64;
    }
    Ok(a)
}
