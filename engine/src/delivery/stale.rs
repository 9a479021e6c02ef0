//! Whether a Shopee report is old news, both ways. The extension re-sends pages from its
//! offline queue and the Open Platform road may hold a detail fetched long ago. One that still
//! says "paid" after Shopee cancelled the order would deliver keys to a buyer whose order is
//! gone; its mirror, one that still says "cancelled" after Shopee reopened the order (the
//! buyer's request turned down), would cancel it again and take its items back. A report counts
//! by the time it was true (Shopee's `update_time`, else when the page was read); the
//! cancellation by the same measure (`orders.cancel_reported_at`), and so Shopee's latest word
//! the order took (`orders.shopee_reported_at`: the report that reopened it or moved it on).

use crate::orders::{record_event, Note, Status};
use crate::Result;
use chrono::DateTime;
use rusqlite::{params, Connection, OptionalExtension};

/// Statuses by which an order leaves (its items back or held): the reports checked against
/// Shopee's latest word rather than against the cancellation.
pub fn leaves(status: Status) -> bool {
    matches!(
        status,
        Status::Cancelled | Status::Refunded | Status::Returned
    )
}

/// The time (ms) a report saying `reported` must be newer than: a leaving one, Shopee's latest
/// word the order took; any other (paid, completed on a cancelled order), the cancellation.
/// None for an order from before the column (0012 fills the cancellation for every cancelled
/// order; 0013 Shopee's word only where a cancellation was undone).
fn known_at(conn: &Connection, order_id: i64, reported: Status) -> Result<Option<i64>> {
    let sql = if leaves(reported) {
        "SELECT shopee_reported_at FROM orders WHERE id = ?1"
    } else {
        "SELECT cancel_reported_at FROM orders WHERE id = ?1"
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row([order_id], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

/// True when the report (true at `report_at`, ms) saying `reported` of an order that is
/// `current` is not newer than what it would undo (see `known_at`): then it changes nothing but
/// the trail, which says why once (the same report again adds nothing).
///
/// A report with no time at all (an extension or client older than these fields) cannot be
/// told from news, and refusing it would leave an order Shopee really reopened cancelled, or
/// really cancelled open, for good: it is taken as before.
pub fn ignore_stale(
    conn: &Connection,
    order_id: i64,
    current: Status,
    reported: Status,
    report_at: Option<i64>,
    actor: &str,
) -> Result<bool> {
    let (Some(report_at), Some(known_at)) = (report_at, known_at(conn, order_id, reported)?) else {
        return Ok(false);
    };
    if report_at > known_at {
        return Ok(false);
    }
    let note = if leaves(reported) {
        Note::StaleLeaveIgnored {
            status: reported.to_string(),
            reported_at: words(report_at),
            known_at: words(known_at),
            stays: current.to_string(),
        }
    } else {
        Note::StaleReportIgnored {
            status: reported.to_string(),
            reported_at: words(report_at),
            cancelled_at: words(known_at),
        }
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
        record_event(conn, order_id, Some(current), current, actor, &note)?;
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

/// Records that the order took a Shopee report true at `report_at`: the newest such time is
/// kept, never moved back (an older report taken later says nothing newer).
pub fn note_reported(conn: &Connection, order_id: i64, report_at: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE orders SET shopee_reported_at = max(COALESCE(shopee_reported_at, ?2), ?2)
         WHERE id = ?1",
    )?
    .execute(params![order_id, report_at])?;
    Ok(())
}

/// Records that Shopee reopened the order: its word is at least as new as the cancellation it
/// undid, so a cancellation report no newer than that one is the undone one (or older) even
/// when the reopening report carried no time.
pub(super) fn note_reopened(
    conn: &Connection,
    order_id: i64,
    report_at: Option<i64>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE orders SET shopee_reported_at = max(
                COALESCE(shopee_reported_at, cancel_reported_at, ?2),
                COALESCE(cancel_reported_at, shopee_reported_at, ?2),
                COALESCE(?2, shopee_reported_at, cancel_reported_at))
         WHERE id = ?1",
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
