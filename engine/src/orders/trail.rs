//! Every status change is an event in the order's trail; illegal moves are errors.

use super::{Machine, Note, Status};
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
    note: &Note,
) -> Result<()> {
    record_event_in(&mut Held::new(conn), order_id, from, to, actor, note)
}

/// `record_event` through a transaction's held statements (intake records two per paid order).
pub fn record_event_in(
    held: &mut Held,
    order_id: i64,
    from: Option<Status>,
    to: Status,
    actor: &str,
    note: &Note,
) -> Result<()> {
    held.get(
        "INSERT INTO order_events (order_id, at, from_status, to_status, actor, reason, code, params)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        order_id,
        now_ms(),
        from.map(Status::as_str),
        to.as_str(),
        actor,
        note.english(),
        note.code(),
        note.params()
    ])?;
    Ok(())
}

/// Moves an order from `from` to `to` if the machine allows it, recording the event. Moving
/// to needs_attention makes the note the order's attention reason; any other move clears it.
pub fn transition(
    conn: &Connection,
    order_id: i64,
    from: Status,
    to: Status,
    actor: &str,
    note: &Note,
) -> Result<()> {
    if !from.can_move_to(to) {
        return Err(Error::IllegalTransition {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let now = now_ms();
    let attention = (to == Status::NeedsAttention).then_some(note);
    let changed = conn
        .prepare_cached(
            "UPDATE orders SET status = ?3, attention_reason = ?4, attention_detail = ?5, updated_at = ?6,
                    paid_at = CASE WHEN ?3 = 'paid' THEN COALESCE(paid_at, ?6) ELSE paid_at END,
                    attention_params = ?7
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![
            order_id,
            from.as_str(),
            to.as_str(),
            attention.map(Note::code),
            attention.map(Note::english),
            now,
            attention.and_then(Note::params)
        ])?;
    if changed != 1 {
        return Err(Error::conflict(format!(
            "order {order_id} is no longer {from}; reload it"
        )));
    }
    record_event(conn, order_id, Some(from), to, actor, note)
}

/// Sets the attention reason of an order that waits already, without a trail event (a retry
/// that fails again is not news).
pub fn set_attention(conn: &Connection, order_id: i64, note: &Note) -> Result<()> {
    conn.prepare_cached(
        "UPDATE orders SET attention_reason = ?2, attention_detail = ?3, attention_params = ?4 WHERE id = ?1",
    )?
    .execute(params![order_id, note.code(), note.english(), note.params()])?;
    Ok(())
}
