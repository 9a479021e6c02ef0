//! Conversations with buyers: their messages, the assistant's decision on each, and the reply
//! outbox the extension drains (leased like deliveries, confirmed by id).

use crate::orders::Buyer;
use crate::store::now_ms;
use crate::{fields, Error, Result};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, params_from_iter, types::Value, Connection, OptionalExtension};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub const MAX_MESSAGE: usize = 4000;
/// Shopee's chat takes at most this many characters in one message.
pub const MAX_REPLY: usize = 2000;

fn ts(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Finds or creates our conversation row for Shopee's conversation id, refreshing what we
/// know about it (buyer, product, order). Returns its id.
pub fn upsert_conversation(
    conn: &Connection,
    shop: &str,
    conversation_id: &str,
    buyer: &Buyer,
    product_id: Option<i64>,
    order_sn: Option<&str>,
) -> Result<i64> {
    let now = now_ms();
    conn.execute(
        "INSERT INTO conversations (shop, conversation_id, buyer_username, buyer_user_id, product_id,
                                    order_sn, created_at, last_message_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (shop, conversation_id) DO UPDATE SET
             buyer_username = CASE WHEN excluded.buyer_username != '' THEN excluded.buyer_username
                                   ELSE buyer_username END,
             buyer_user_id = IFNULL(excluded.buyer_user_id, buyer_user_id),
             product_id = IFNULL(excluded.product_id, product_id),
             order_sn = IFNULL(excluded.order_sn, order_sn),
             last_message_at = excluded.last_message_at",
        params![shop, conversation_id, buyer.username, buyer.user_id, product_id, order_sn, now],
    )?;
    Ok(conn.query_row(
        "SELECT id FROM conversations WHERE shop = ?1 AND conversation_id = ?2",
        params![shop, conversation_id],
        |r| r.get(0),
    )?)
}

/// The product a conversation is about, as last known.
pub fn conversation_product(conn: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT product_id FROM conversations WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// An inbound message already recorded under the same Shopee message id, if any.
pub fn find_inbound(
    conn: &Connection,
    conversation: i64,
    external_id: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM messages WHERE conversation_id = ?1 AND external_id = ?2",
            params![conversation, external_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// What the assistant decided for an inbound message.
#[derive(Debug, Clone)]
pub struct Decision {
    pub source: &'static str,
    pub faq_id: Option<i64>,
    pub score: Option<f32>,
    pub latency_us: u64,
    pub state: &'static str,
    pub note: String,
}

#[allow(clippy::too_many_arguments)]
pub fn insert_inbound(
    conn: &Connection,
    conversation: i64,
    external_id: Option<&str>,
    text: &str,
    language: &str,
    product_id: Option<i64>,
    d: &Decision,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO messages (conversation_id, direction, external_id, text, language, source, faq_id,
                               score, latency_us, state, note, created_at, product_id)
         VALUES (?1, 'in', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            conversation,
            external_id,
            text,
            language,
            d.source,
            d.faq_id,
            d.score,
            d.latency_us as i64,
            d.state,
            d.note,
            now_ms(),
            product_id
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn set_message_state(conn: &Connection, message: i64, d: &Decision) -> Result<()> {
    conn.execute(
        "UPDATE messages SET source = ?2, faq_id = ?3, score = ?4, state = ?5, note = ?6 WHERE id = ?1",
        params![message, d.source, d.faq_id, d.score, d.state, d.note],
    )?;
    Ok(())
}

pub use auto_api::{ConversationDetail, ConversationPage, ConversationSummary, Message, Reply};

const REPLY_SELECT: &str =
    "SELECT r.id, r.conversation_id, c.shop, c.conversation_id, c.buyer_username,
        c.buyer_user_id, r.message_id, r.text, r.source, r.faq_id, r.score, r.status, r.attempts,
        r.created_at, r.confirmed_at, r.parts, r.parts_sent,
        (SELECT value FROM meta WHERE key = 'chat_limit')
     FROM replies r JOIN conversations c ON c.id = r.conversation_id";

fn reply_row(r: &rusqlite::Row) -> rusqlite::Result<Reply> {
    let text: String = r.get(7)?;
    let limit = crate::delivery::parts::limit_of(r.get::<_, Option<String>>(17)?.as_deref());
    let parts = super::reply_parts::of(&text, r.get::<_, Option<String>>(15)?.as_deref(), limit)?;
    Ok(Reply {
        id: r.get(0)?,
        conversation: r.get(1)?,
        shop: r.get(2)?,
        conversation_id: r.get(3)?,
        buyer: Buyer {
            username: r.get(4)?,
            user_id: r.get(5)?,
        },
        message_id: r.get(6)?,
        text,
        parts,
        parts_sent: r.get(16)?,
        source: r.get(8)?,
        faq_id: r.get(9)?,
        score: r.get(10)?,
        status: r.get(11)?,
        attempts: r.get(12)?,
        created_at: ts(r.get(13)?),
        confirmed_at: r.get::<_, Option<i64>>(14)?.map(ts),
    })
}

#[allow(clippy::too_many_arguments)]
pub fn insert_reply(
    conn: &Connection,
    conversation: i64,
    message: Option<i64>,
    text: &str,
    source: &str,
    faq_id: Option<i64>,
    score: Option<f32>,
    status: &str,
) -> Result<Reply> {
    conn.execute(
        "INSERT INTO replies (conversation_id, message_id, text, source, faq_id, score, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![conversation, message, text, source, faq_id, score, status, now_ms()],
    )?;
    get_reply(conn, conn.last_insert_rowid())
}

pub fn get_reply(conn: &Connection, id: i64) -> Result<Reply> {
    conn.query_row(&format!("{REPLY_SELECT} WHERE r.id = ?1"), [id], reply_row)
        .optional()?
        .ok_or_else(|| Error::not_found(format!("reply {id}")))
}

/// The reply made for an inbound message (the latest), if any.
pub fn reply_for_message(conn: &Connection, message: i64) -> Result<Option<Reply>> {
    Ok(conn
        .query_row(
            &format!("{REPLY_SELECT} WHERE r.message_id = ?1 ORDER BY r.id DESC LIMIT 1"),
            [message],
            reply_row,
        )
        .optional()?)
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyFilter {
    /// pending (the extension's outbox, leased) or draft (waiting for the seller).
    pub status: Option<String>,
    /// 1 to 100, default 20.
    pub limit: Option<i64>,
    pub shop: Option<String>,
    /// Shopee's conversation id.
    pub conversation_id: Option<String>,
}

/// Leases pending replies like deliveries: a reply handed out and not confirmed within the
/// timeout is offered again.
pub fn lease_pending(conn: &Connection, f: &ReplyFilter, timeout_ms: i64) -> Result<Vec<Reply>> {
    let limit = check_limit(f.limit)?;
    let now = now_ms();
    let mut sql = format!(
        "{REPLY_SELECT} WHERE r.status = 'pending' AND r.sending_at IS NULL
           AND (r.offered_at IS NULL OR r.offered_at <= ?)"
    );
    let mut args = vec![Value::Integer(now - timeout_ms)];
    filter_args(f, &mut sql, &mut args);
    sql += " ORDER BY r.id LIMIT ?";
    args.push(Value::Integer(limit));
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args), reply_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut lease = conn.prepare_cached(
        "UPDATE replies SET offered_at = ?2, attempts = attempts + 1, road = 'extension',
                parts = IFNULL(parts, ?3)
         WHERE id = ?1",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for mut r in rows {
        // Handed out, its parts are fixed (see reply_parts).
        let parts = super::reply_parts::column(&r.parts);
        lease.execute(params![r.id, now, parts])?;
        r.attempts += 1;
        out.push(r);
    }
    Ok(out)
}

pub fn list_drafts(conn: &Connection, f: &ReplyFilter) -> Result<Vec<Reply>> {
    let limit = check_limit(f.limit)?;
    let mut sql = format!("{REPLY_SELECT} WHERE r.status = 'draft'");
    let mut args = Vec::new();
    filter_args(f, &mut sql, &mut args);
    sql += " ORDER BY r.id LIMIT ?";
    args.push(Value::Integer(limit));
    Ok(conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args), reply_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

fn check_limit(limit: Option<i64>) -> Result<i64> {
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(Error::invalid("limit must be between 1 and 100"));
    }
    Ok(limit)
}

fn filter_args(f: &ReplyFilter, sql: &mut String, args: &mut Vec<Value>) {
    if let Some(shop) = &f.shop {
        *sql += " AND c.shop = ?";
        args.push(Value::Text(shop.clone()));
    }
    if let Some(cid) = &f.conversation_id {
        *sql += " AND c.conversation_id = ?";
        args.push(Value::Text(cid.clone()));
    }
}

/// Marks a reply sent (a repeat confirm changes nothing) and records it in the thread.
pub fn confirm(conn: &Connection, id: i64) -> Result<Reply> {
    let r = get_reply(conn, id)?;
    match r.status.as_str() {
        "sent" => return Ok(r),
        "pending" => {}
        other => {
            return Err(Error::conflict(format!(
                "reply {id} is {other}; only a pending reply can be confirmed"
            )))
        }
    }
    let now = now_ms();
    conn.execute(
        "UPDATE replies SET status = 'sent', confirmed_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    conn.execute(
        "INSERT INTO messages (conversation_id, direction, text, source, faq_id, state, created_at)
         VALUES (?1, 'out', ?2, ?3, ?4, 'answered', ?5)",
        params![r.conversation, r.text, r.source, r.faq_id, now],
    )?;
    get_reply(conn, id)
}

/// The seller approves a draft, optionally edited; it goes to the outbox.
pub fn approve(conn: &Connection, id: i64, text: Option<&str>) -> Result<Reply> {
    let r = get_reply(conn, id)?;
    if r.status != "draft" {
        return Err(Error::conflict(format!(
            "reply {id} is {}; only a draft can be approved",
            r.status
        )));
    }
    let text = match text {
        Some(t) => fields::text("text", t, MAX_REPLY, true)?,
        None => r.text.clone(),
    };
    // An edited draft is the seller's words.
    let source = if text != r.text {
        "seller"
    } else {
        r.source.as_str()
    };
    conn.execute(
        "UPDATE replies SET status = 'pending', text = ?2, source = ?3, approved_at = ?4 WHERE id = ?1",
        params![id, text, source, now_ms()],
    )?;
    super::reply_parts::reapproved(conn, id, text != r.text)?;
    if let Some(m) = r.message_id {
        // An FAQ suggestion sent as it was is now the entry's answer to that question.
        let faq_id = (source == "faq").then_some(r.faq_id).flatten();
        conn.execute(
            "UPDATE messages SET state = 'answered', faq_id = IFNULL(?2, faq_id) WHERE id = ?1",
            params![m, faq_id],
        )?;
    }
    get_reply(conn, id)
}

/// The seller throws a draft away; its question waits for them again.
pub fn discard(conn: &Connection, id: i64) -> Result<Reply> {
    let r = get_reply(conn, id)?;
    if r.status != "draft" && r.status != "pending" {
        return Err(Error::conflict(format!(
            "reply {id} is {}; only a draft or pending reply can be discarded",
            r.status
        )));
    }
    conn.execute(
        "UPDATE replies SET status = 'discarded' WHERE id = ?1",
        [id],
    )?;
    if let Some(m) = r.message_id {
        conn.execute("UPDATE messages SET state = 'waiting' WHERE id = ?1", [m])?;
    }
    get_reply(conn, id)
}

/// The seller writes an answer in a conversation: every question still open there is answered.
pub fn seller_reply(conn: &Connection, conversation: i64, text: &str) -> Result<Reply> {
    let text = fields::text("text", text, MAX_REPLY, true)?;
    let exists: Option<i64> = conn
        .query_row(
            "SELECT id FROM conversations WHERE id = ?1",
            [conversation],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Err(Error::not_found(format!("conversation {conversation}")));
    }
    let last_open: Option<i64> = conn
        .query_row(
            "SELECT MAX(id) FROM messages WHERE conversation_id = ?1 AND direction = 'in' AND state != 'answered'",
            [conversation],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    conn.execute(
        "UPDATE messages SET state = 'answered' WHERE conversation_id = ?1 AND direction = 'in'",
        [conversation],
    )?;
    // Drafts for those questions are superseded by the seller's own answer.
    conn.execute(
        "UPDATE replies SET status = 'discarded' WHERE conversation_id = ?1 AND status = 'draft'",
        [conversation],
    )?;
    insert_reply(
        conn,
        conversation,
        last_open,
        &text,
        "seller",
        None,
        None,
        "pending",
    )
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationFilter {
    /// Only conversations with a question waiting for the seller.
    pub open: Option<bool>,
    pub shop: Option<String>,
    /// Buyer username contains.
    pub q: Option<String>,
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page (conversations are newest first).
    pub cursor: Option<i64>,
}

const SUMMARY_SELECT: &str = "SELECT c.id, c.shop, c.conversation_id, c.buyer_username, c.buyer_user_id,
        c.product_id, c.order_sn, c.last_message_at,
        (SELECT text FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1),
        (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.state != 'answered'),
        (SELECT COUNT(*) FROM replies r WHERE r.conversation_id = c.id AND r.status = 'draft')
     FROM conversations c";

fn summary_row(r: &rusqlite::Row) -> rusqlite::Result<ConversationSummary> {
    Ok(ConversationSummary {
        id: r.get(0)?,
        shop: r.get(1)?,
        conversation_id: r.get(2)?,
        buyer: Buyer {
            username: r.get(3)?,
            user_id: r.get(4)?,
        },
        product_id: r.get(5)?,
        order_sn: r.get(6)?,
        last_message_at: ts(r.get(7)?),
        last_message: r.get(8)?,
        open_questions: r.get(9)?,
        drafts: r.get(10)?,
    })
}

pub fn list_conversations(conn: &Connection, f: &ConversationFilter) -> Result<ConversationPage> {
    let limit = f.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::invalid("limit must be between 1 and 200"));
    }
    let mut sql = format!("{SUMMARY_SELECT} WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(c) = f.cursor {
        sql += " AND c.id < ?";
        args.push(Value::Integer(c));
    }
    if let Some(shop) = &f.shop {
        sql += " AND c.shop = ?";
        args.push(Value::Text(shop.clone()));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        sql += " AND c.buyer_username LIKE ? ESCAPE '\\'";
        args.push(Value::Text(format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )));
    }
    if f.open == Some(true) {
        sql += " AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.state != 'answered')";
    }
    sql += " ORDER BY c.id DESC LIMIT ?";
    args.push(Value::Integer(limit + 1));
    let mut rows = conn
        .prepare(&sql)?
        .query_map(params_from_iter(args), summary_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|c| c.id)
    } else {
        None
    };
    Ok(ConversationPage {
        conversations: rows,
        next_cursor,
    })
}

pub fn conversation_detail(conn: &Connection, id: i64) -> Result<ConversationDetail> {
    let summary = conn
        .query_row(
            &format!("{SUMMARY_SELECT} WHERE c.id = ?1"),
            [id],
            summary_row,
        )
        .optional()?
        .ok_or_else(|| Error::not_found(format!("conversation {id}")))?;
    let messages = conn
        .prepare_cached(
            "SELECT id, direction, text, language, source, faq_id, score, latency_us, state, note, created_at
             FROM messages WHERE conversation_id = ?1 ORDER BY id",
        )?
        .query_map([id], |r| {
            Ok(Message {
                id: r.get(0)?,
                direction: r.get(1)?,
                text: r.get(2)?,
                language: r.get(3)?,
                source: r.get(4)?,
                faq_id: r.get(5)?,
                score: r.get(6)?,
                latency_us: r.get(7)?,
                state: r.get(8)?,
                note: r.get(9)?,
                created_at: ts(r.get(10)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let replies = conn
        .prepare_cached(&format!(
            "{REPLY_SELECT} WHERE r.conversation_id = ?1 ORDER BY r.id"
        ))?
        .query_map([id], reply_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ConversationDetail {
        summary,
        messages,
        replies,
    })
}

/// The last turns of a conversation, oldest first, for the model's context.
pub fn recent_turns(
    conn: &Connection,
    conversation: i64,
    n: usize,
) -> Result<Vec<(String, String)>> {
    let mut rows = conn
        .prepare_cached(
            "SELECT direction, text FROM messages WHERE conversation_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?
        .query_map(params![conversation, n as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.reverse();
    Ok(rows)
}
