//! Every status change is an event in the order's trail; illegal moves are errors.

use super::Status;
use crate::store::{now_ms, Held};
use crate::{Error, Result};
use rusqlite::{params, Connection};

/// Appends an event without changing the status (notes such as "resend requested").
pub fn record_event(
    conn: &Connection,
    order_id: i64,
    from: Option<Status>,
    to: Status,
    actor: &str,
    reason: &str,
) -> Result<()> {
    record_event_in(&mut Held::new(conn), order_id, from, to, actor, reason)
}

/// `record_event` through a transaction's held statements (intake records two per paid order).
pub fn record_event_in(
    held: &mut Held,
    order_id: i64,
    from: Option<Status>,
    to: Status,
    actor: &str,
    reason: &str,
) -> Result<()> {
    held.get(
        "INSERT INTO order_events (order_id, at, from_status, to_status, actor, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![order_id, now_ms(), from.map(Status::as_str), to.as_str(), actor, reason])?;
    Ok(())
}

/// Moves an order from `from` to `to` if the machine allows it, recording the event.
/// `attention` sets (or, when None, clears) the needs-attention reason and detail.
pub fn transition(
    conn: &Connection,
    order_id: i64,
    from: Status,
    to: Status,
    actor: &str,
    reason: &str,
    attention: Option<(&str, &str)>,
) -> Result<()> {
    if !from.can_move_to(to) {
        return Err(Error::IllegalTransition {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let now = now_ms();
    let changed = conn
        .prepare_cached(
            "UPDATE orders SET status = ?3, attention_reason = ?4, attention_detail = ?5, updated_at = ?6,
                    paid_at = CASE WHEN ?3 = 'paid' THEN COALESCE(paid_at, ?6) ELSE paid_at END
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![order_id, from.as_str(), to.as_str(), attention.map(|a| a.0), attention.map(|a| a.1), now])?;
    if changed != 1 {
        return Err(Error::conflict(format!(
            "order {order_id} is no longer {from}; reload it"
        )));
    }
    record_event(conn, order_id, Some(from), to, actor, reason)
}
