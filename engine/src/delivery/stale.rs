//! Whether a Shopee report that would reopen a cancelled order is old news. The extension
//! re-sends pages from its offline queue and the Open Platform road may hold a detail fetched
//! before the cancellation: such a report still says "paid", and taking it would deliver keys to
//! a buyer whose order Shopee cancelled. A report counts by the time it was true (Shopee's
//! `update_time`, else when the page was read); the cancellation by the same measure
//! (`orders.cancel_reported_at`).

use crate::orders::{record_event, Note, Status};
use crate::Result;
use chrono::DateTime;
use rusqlite::{params, Connection, OptionalExtension};

/// When the order's cancellation was true (ms); None for an order cancelled before the column
/// was filled (the migration fills it for every cancelled order, so hardly ever).
fn cancelled_at(conn: &Connection, order_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT cancel_reported_at FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

/// True when the report (true at `report_at`, ms) is not newer than the cancellation: then it
/// changes nothing but the trail, which says why once (the same report again adds nothing).
///
/// A report with no time at all (an extension or client older than these fields) cannot be
/// told from news, and refusing it would leave an order Shopee really reopened cancelled for
/// good: it is taken as before.
pub(super) fn ignore_stale(
    conn: &Connection,
    order_id: i64,
    reported: Status,
    report_at: Option<i64>,
    actor: &str,
) -> Result<bool> {
    let (Some(report_at), Some(cancelled_at)) = (report_at, cancelled_at(conn, order_id)?) else {
        return Ok(false);
    };
    if report_at > cancelled_at {
        return Ok(false);
    }
    let note = Note::StaleReportIgnored {
        status: reported.to_string(),
        reported_at: words(report_at),
        cancelled_at: words(cancelled_at),
    };
    let last: Option<(Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT code, params FROM order_events WHERE order_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([order_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let said =
        last.is_some_and(|(code, p)| code.as_deref() == Some(note.code()) && p == note.params());
    if !said {
        record_event(
            conn,
            order_id,
            Some(Status::Cancelled),
            Status::Cancelled,
            actor,
            &note,
        )?;
    }
    Ok(true)
}

/// Records when a report cancelled the order: the report's own time, else now (when AUTO
/// recorded it).
pub fn note_cancelled(
    conn: &Connection,
    order_id: i64,
    report_at: Option<i64>,
    now: i64,
) -> Result<()> {
    conn.prepare_cached("UPDATE orders SET cancel_reported_at = ?2 WHERE id = ?1")?
        .execute(params![order_id, report_at.unwrap_or(now)])?;
    Ok(())
}

/// A later report that the order is still cancelled moves the time on, never back: it was
/// cancelled then too, so a "paid" older than that is old news as well.
pub fn note_still_cancelled(conn: &Connection, order_id: i64, report_at: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE orders SET cancel_reported_at = max(COALESCE(cancel_reported_at, ?2), ?2)
         WHERE id = ?1 AND status = 'cancelled'",
    )?
    .execute(params![order_id, report_at])?;
    Ok(())
}

fn words(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}
