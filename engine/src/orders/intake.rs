//! Order intake: validation, then one idempotent upsert keyed on (shop, order_sn). A newer
//! reported status moves the order forward; an older one is ignored; paid orders are
//! allocated in the same transaction.

use super::{
    parse_reported, transition, ts, Buyer, Line, Machine, Note, Order, OrderInput, Status,
};
use crate::catalog::Resolver;
use crate::delivery;
use crate::delivery::{LineToFill, OrderToFill};
use crate::secrets::Vault;
use crate::store::{now_ms, Held};
use crate::{fields, money, Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// The attention reason of an unpaid order whose reported status AUTO does not know.
pub const UNKNOWN_STATUS: &str = "unknown_status";

/// What the seller reads about an order reported with a status AUTO does not know.
fn unknown_status_note(raw: &str) -> Note {
    Note::UnknownStatus { raw: raw.into() }
}

/// Most lines one order may have.
const MAX_LINES: usize = 100;
/// Most units of one line.
const MAX_QUANTITY: i64 = 1000;

/// What one intake transaction remembers between its orders: its statements, resolved
/// listings and stock read ahead. Valid for that transaction only.
pub struct IntakeContext<'c> {
    held: Held<'c>,
    resolver: Resolver,
    stock: delivery::StockPool,
}

impl<'c> IntakeContext<'c> {
    pub fn new(conn: &'c Connection) -> IntakeContext<'c> {
        IntakeContext {
            held: Held::new(conn),
            resolver: Resolver::default(),
            stock: delivery::StockPool::default(),
        }
    }
}

/// An order that passed validation, in storage units.
#[derive(Debug, Clone)]
pub struct ValidOrder {
    pub shop: String,
    pub order_sn: String,
    pub reported: Status,
    /// The status as reported when AUTO does not know it (a new Shopee status, a localized
    /// text no map has): the order is kept unpaid with this text for the seller, never paid.
    pub unknown_status: Option<String>,
    pub buyer: Buyer,
    pub lines: Vec<ValidLine>,
    pub total_minor: i64,
    pub currency: String,
    pub created_at: i64,
    pub paid_at: Option<i64>,
    /// Shopee's last change of the order (ms), when the report carries it.
    pub shopee_updated_at: Option<i64>,
    /// When the source read the page (ms, the extension's clock), when it says.
    pub seen_at: Option<i64>,
    pub historic: bool,
}

impl ValidOrder {
    /// When what the report says was true: Shopee's own time first (the page may have been
    /// read long after Shopee last changed the order), else when the page was read.
    pub fn report_time(&self) -> Option<i64> {
        self.shopee_updated_at.or(self.seen_at)
    }
}

#[derive(Debug, Clone)]
pub struct ValidLine {
    pub sku: String,
    pub item_id: Option<i64>,
    pub model_id: Option<i64>,
    pub quantity: i64,
    pub unit_price_minor: i64,
}

/// Checks an order as reported, without touching storage.
pub fn validate_order(input: OrderInput) -> Result<ValidOrder> {
    let shop = fields::one_line("shop", &input.shop, 100, true)?;
    let order_sn = fields::one_line("order_sn", &input.order_sn, 64, true)?;
    if order_sn.contains(char::is_whitespace) {
        return Err(Error::invalid("order_sn must not contain spaces"));
    }
    let raw_status = fields::one_line("status", &input.status, 100, true)?;
    // A status AUTO does not know is recorded, not refused: a source that reads a page Shopee
    // changed must still be able to report the order, and delivering on a guess is worse than
    // waiting. It stays unpaid until a known status says it was paid.
    let (reported, unknown_status) = match parse_reported(&raw_status) {
        Some(s) => (s, None),
        None => (Status::Unpaid, Some(raw_status)),
    };
    let currency = money::parse_currency(&input.currency)?;
    if input.lines.is_empty() {
        return Err(Error::invalid("an order needs at least one line"));
    }
    if input.lines.len() > MAX_LINES {
        return Err(Error::invalid(format!(
            "an order has at most {MAX_LINES} lines"
        )));
    }
    let mut lines = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        let n = i + 1;
        if l.quantity < 1 || l.quantity > MAX_QUANTITY {
            return Err(Error::invalid(format!(
                "line {n}: quantity must be between 1 and {MAX_QUANTITY}"
            )));
        }
        let sku = fields::one_line("sku", l.sku.as_deref().unwrap_or(""), 100, false)
            .map_err(in_line(n))?;
        if sku.is_empty() && l.item_id.is_none() {
            return Err(Error::invalid(format!(
                "line {n}: needs a sku or an item_id"
            )));
        }
        if l.item_id.is_some_and(|v| v < 0) || l.model_id.is_some_and(|v| v < 0) {
            return Err(Error::invalid(format!(
                "line {n}: item_id and model_id must not be negative"
            )));
        }
        lines.push(ValidLine {
            sku,
            item_id: l.item_id,
            model_id: l.model_id,
            quantity: l.quantity,
            unit_price_minor: money::to_minor(l.unit_price, &currency, "unit_price")
                .map_err(in_line(n))?,
        });
    }
    let total_minor = match input.total {
        Some(t) => money::to_minor(t, &currency, "total")?,
        None => lines.iter().map(|l| l.unit_price_minor * l.quantity).sum(),
    };
    let buyer = Buyer {
        username: fields::one_line("buyer.username", &input.buyer.username, 100, false)?,
        user_id: input.buyer.user_id,
    };
    Ok(ValidOrder {
        shop,
        order_sn,
        reported,
        unknown_status,
        buyer,
        lines,
        total_minor,
        currency,
        created_at: input
            .created_at
            .map(|t| t.timestamp_millis())
            .unwrap_or_else(now_ms),
        paid_at: input.paid_at.map(|t| t.timestamp_millis()),
        shopee_updated_at: input.shopee_updated_at.map(|t| t.timestamp_millis()),
        seen_at: input.seen_at.map(|t| t.timestamp_millis()),
        historic: input.historic,
    })
}

/// Says which line a field's error is about. Applied to the error only, so that a valid
/// order formats no labels.
fn in_line(n: usize) -> impl FnOnce(Error) -> Error {
    move |e| match e {
        Error::Invalid(msg) => Error::invalid(format!("line {n}: {msg}")),
        other => other,
    }
}

/// Records a reported order inside the caller's transaction and returns it as stored.
pub fn intake_order(
    ctx: &mut IntakeContext,
    vault: &Vault,
    order: &ValidOrder,
    actor: &str,
) -> Result<Order> {
    // Most orders are new: try to store it first, and look it up only when it is known.
    if let Some(new) = insert_new(ctx, vault, order, actor)? {
        return Ok(new);
    }
    let conn = ctx.held.conn();
    let existing: Option<(i64, String, Option<String>)> = ctx
        .held
        .get("SELECT id, status, shop_status FROM orders WHERE shop = ?1 AND order_sn = ?2")?
        .query_row(params![order.shop, order.order_sn], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match existing {
        None => Err(Error::conflict(format!(
            "order {} of {} was neither stored nor found; retry",
            order.order_sn, order.shop
        ))),
        Some((id, status, shop_status)) => {
            let current = Status::parse(&status).unwrap_or(Status::NeedsAttention);
            if shop_status.as_deref() != Some(order.reported.as_str())
                && order.reported.progress() >= current.progress()
            {
                conn.prepare_cached("UPDATE orders SET shop_status = ?2 WHERE id = ?1")?
                    .execute(params![id, order.reported.as_str()])?;
            }
            apply_report(conn, vault, id, current, order, actor)?;
            super::get_order(conn, id)
        }
    }
}

/// Stores the order if (shop, order_sn) is new, else returns None and changes nothing. A paid
/// one is planned first, so that the row is written once with its final status (delivering, or
/// needs_attention with the reason) and the order comes back built in memory: intake reads
/// nothing it just wrote. Trying the insert first spares new orders a look-up (the unique
/// index is searched by the insert anyway): 5% of the work of a paid order.
fn insert_new(
    ctx: &mut IntakeContext,
    vault: &Vault,
    o: &ValidOrder,
    actor: &str,
) -> Result<Option<Order>> {
    let conn = ctx.held.conn();
    let initial = match o.reported {
        // Shipped or completed on Shopee before AUTO knew it: the seller fulfilled it.
        Status::Paid | Status::Completed if o.historic => Status::Delivered,
        Status::Completed => Status::Paid,
        other => other,
    };
    let now = now_ms();
    let paid_at = if initial == Status::Paid {
        Some(o.paid_at.unwrap_or(now))
    } else {
        o.paid_at
    };
    let mut lines = Vec::with_capacity(o.lines.len());
    let mut matched_by = Vec::with_capacity(o.lines.len());
    for l in &o.lines {
        let found = ctx
            .resolver
            .resolve(conn, &o.shop, l.item_id, l.model_id, &l.sku)?;
        matched_by.push(found.as_ref().map(|(_, by)| *by));
        lines.push(LineToFill {
            id: 0,
            sku: l.sku.clone(),
            item_id: l.item_id,
            model_id: l.model_id,
            quantity: l.quantity,
            product: found.map(|(p, _)| p),
        });
    }
    let outcome = if initial == Status::Paid {
        Some(delivery::plan(conn, &mut ctx.stock, &lines)?)
    } else {
        None
    };
    let (status, attention) = match &outcome {
        Some(Ok(_)) => (Status::Delivering, None),
        Some(Err(wait)) => (Status::NeedsAttention, Some(wait)),
        None => (initial, None),
    };
    let unknown = o.unknown_status.as_deref().map(unknown_status_note);
    let attention = attention.map(|w| &w.note).or(unknown.as_ref());
    let stored = ctx.held.get(
        "INSERT INTO orders (shop, order_sn, status, attention_reason, attention_detail, shop_status, buyer_username,
                             buyer_user_id, total_minor, currency, created_at, paid_at, updated_at, attention_params,
                             cancel_reported_at, shopee_reported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (shop, order_sn) DO NOTHING",
    )?
    .execute(params![
        o.shop,
        o.order_sn,
        status.as_str(),
        attention.map(Note::code),
        attention.map(Note::english),
        o.reported.as_str(),
        o.buyer.username,
        o.buyer.user_id,
        o.total_minor,
        o.currency,
        o.created_at,
        paid_at,
        now,
        attention.and_then(Note::params),
        (status == Status::Cancelled).then(|| o.report_time().unwrap_or(now)),
        o.unknown_status.is_none().then(|| o.report_time()).flatten()
    ])?;
    let attention = attention.cloned();
    if stored == 0 {
        if let Some(Ok(plan)) = outcome {
            plan.release(&mut ctx.stock);
        }
        return Ok(None);
    }
    let id = conn.last_insert_rowid();
    for (i, (line, l)) in lines.iter_mut().zip(&o.lines).enumerate() {
        ctx.held.get(
            "INSERT INTO order_lines (order_id, line_no, sku, item_id, model_id, quantity, unit_price_minor, product_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            id,
            i as i64 + 1,
            l.sku,
            l.item_id,
            l.model_id,
            l.quantity,
            l.unit_price_minor,
            line.product.as_ref().map(|p| p.id)
        ])?;
        line.id = conn.last_insert_rowid();
    }
    super::record_event_in(
        &mut ctx.held,
        id,
        None,
        initial,
        actor,
        unknown
            .as_ref()
            .unwrap_or(&if o.historic && initial == Status::Delivered {
                Note::ReportedFulfilledBefore {
                    status: o.reported.to_string(),
                }
            } else {
                Note::Reported {
                    status: o.reported.to_string(),
                }
            }),
    )?;
    match outcome {
        Some(Ok(plan)) => {
            let order = OrderToFill {
                id,
                status: Status::Paid,
                order_sn: &o.order_sn,
                buyer: &o.buyer.username,
            };
            delivery::take(&mut ctx.held, vault, &order, &lines, plan)?;
            super::record_event_in(
                &mut ctx.held,
                id,
                Some(Status::Paid),
                Status::Delivering,
                "engine",
                &Note::Allocated,
            )?;
        }
        Some(Err(wait)) => {
            super::record_event_in(
                &mut ctx.held,
                id,
                Some(Status::Paid),
                Status::NeedsAttention,
                "engine",
                &wait.note,
            )?;
        }
        None => {}
    }
    Ok(Some(Order {
        id,
        shop: o.shop.clone(),
        order_sn: o.order_sn.clone(),
        status,
        attention_reason: attention.as_ref().map(|n| n.code().to_string()),
        attention_detail: attention.as_ref().map(Note::english),
        attention_params: attention
            .as_ref()
            .and_then(Note::params)
            .map(|p| super::parse_params(Some(&p)))
            .unwrap_or_default(),
        buyer: o.buyer.clone(),
        lines: lines
            .iter()
            .zip(&o.lines)
            .zip(matched_by)
            .map(|((line, l), by)| Line {
                id: line.id,
                sku: l.sku.clone(),
                item_id: l.item_id,
                model_id: l.model_id,
                quantity: l.quantity,
                unit_price: money::from_minor(l.unit_price_minor, &o.currency),
                product_id: line.product.as_ref().map(|p| p.id),
                product_name: line.product.as_ref().map(|p| p.name.clone()),
                matched_by: by.map(str::to_string),
            })
            .collect(),
        total: money::from_minor(o.total_minor, &o.currency),
        currency: o.currency.clone(),
        created_at: ts(o.created_at),
        paid_at: paid_at.map(ts),
        updated_at: ts(now),
    }))
}

fn apply_report(
    conn: &Connection,
    vault: &Vault,
    id: i64,
    current: Status,
    o: &ValidOrder,
    actor: &str,
) -> Result<()> {
    let reported = o.reported;
    // A cancellation Shopee reported and then turned down comes back as paid: taken up again.
    if current == Status::Cancelled
        && o.unknown_status.is_none()
        && delivery::reopen_cancelled(conn, vault, id, reported, o.report_time(), actor)?
    {
        return Ok(());
    }
    if current == Status::Cancelled && reported == Status::Cancelled && o.unknown_status.is_none() {
        if let Some(t) = o.report_time() {
            delivery::note_still_cancelled(conn, id, t)?;
        }
    }
    // The mirror on an order that is not cancelled: a report that would make it leave, no newer
    // than Shopee's latest word it took (the reopening one among them), is old news. A report of
    // a status AUTO does not know says nothing either way. Cancelled orders keep their own
    // times above (reopen_cancelled sets this one when it takes the order back).
    if current != Status::Cancelled && o.unknown_status.is_none() {
        if delivery::leaves(reported)
            && current.can_move_to(reported)
            && delivery::ignore_stale(conn, id, current, reported, o.report_time(), actor)?
        {
            return Ok(());
        }
        if let Some(t) = o.report_time() {
            delivery::note_reported(conn, id, t)?;
        }
    }
    // Re-sent pages often carry stale statuses; only news moves an order.
    if current.is_final() || reported.progress() < current.progress() {
        return Ok(());
    }
    if let Some(raw) = &o.unknown_status {
        // Only an unpaid order shows what Shopee says now (quietly, like a wait that goes on:
        // the trail has only real moves); a paid one keeps its course.
        if current == Status::Unpaid {
            super::set_attention(conn, id, &unknown_status_note(raw))?;
        }
        return Ok(());
    }
    if reported == Status::Unpaid && current == Status::Unpaid {
        // Shopee's status is known again: what was said about the unknown one no longer holds.
        conn.prepare_cached(
            "UPDATE orders SET attention_reason = NULL, attention_detail = NULL, attention_params = NULL
             WHERE id = ?1 AND attention_reason = ?2",
        )?
        .execute(params![id, UNKNOWN_STATUS])?;
        return Ok(());
    }
    let why = Note::Reported {
        status: reported.to_string(),
    };
    match reported {
        Status::Paid | Status::Completed if current == Status::Unpaid => {
            transition(conn, id, Status::Unpaid, Status::Paid, actor, &why)?;
            delivery::allocate_order(conn, vault, id, "engine")?;
        }
        Status::Completed if current == Status::Delivered => {
            transition(conn, id, current, Status::Completed, actor, &why)?;
        }
        Status::Cancelled | Status::Refunded | Status::Returned
            if current.can_move_to(reported) =>
        {
            transition(conn, id, current, reported, actor, &why)?;
            if reported == Status::Cancelled {
                delivery::note_cancelled(conn, id, o.report_time(), now_ms())?;
            }
            delivery::cancel_pending(conn, id)?;
            // Unseen items back to the pool, in this same transaction.
            delivery::leave_order(conn, id, reported, "engine")?;
        }
        // Completed before AUTO's delivery was confirmed is kept in shop_status and applied
        // when the delivery is confirmed; anything else is not news.
        _ => {}
    }
    Ok(())
}
