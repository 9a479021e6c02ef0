//! Seller chat (`v2.sellerchat.*`, shapes from `MonveChen/shopee-openapi-v2` src/chat.ts; see
//! ../shared/SHOPEE-NOTES.md): deliveries and replies go out with `send_message` and are
//! confirmed with the `message_id` it returns; a send whose answer never came is settled
//! against the conversation itself (`get_message`); buyers' messages come in from
//! `get_conversation_list` + `get_message` into the same intake as the extension's.
//! Timestamps: `last_message_timestamp` is in nanoseconds, `created_timestamp` in seconds;
//! `conversation_id` is a 64-bit integer, read as text so no digit is lost.

use super::orders::{int, text};
use super::outbox::{self, Claimed, Kind};
use super::session::Session;
use super::{blocking, store, RoadError};
use crate::assistant::MessageInput;
use crate::delivery::parts;
use crate::orders::Buyer;
use serde_json::{json, Value};

/// How many sends one sync makes at most per shop (the next sync goes on).
const SENDS_PER_SYNC: usize = 500;
/// A claim older than this with no answer is settled against the chat; younger ones may
/// still be in flight in another AUTO process (`auto shopee sync` beside the server).
const SETTLE_AFTER_MS: i64 = 60_000;
/// The first pull of a shop's chat reads back this far (older questions were the seller's).
const FIRST_CHAT_WINDOW_NANOS: i64 = 3600 * 1_000_000_000;
const CONVERSATION_PAGES: usize = 20;

/// What the chat part of one sync did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ChatReport {
    pub deliveries_sent: usize,
    pub replies_sent: usize,
    pub refused: usize,
    pub settled: usize,
    pub messages: usize,
}

/// Sends the shop's pending deliveries (unless paused) and replies.
pub async fn send_outbox(session: &Session, report: &mut ChatReport) -> Result<(), RoadError> {
    let shop = session.shop_id.to_string();
    let timeout_ms =
        (session.engine.config.delivery.offer_timeout_secs as i64).saturating_mul(1000);
    for kind in [Kind::Delivery, Kind::Reply] {
        if kind == Kind::Delivery && session.engine.delivery_paused() {
            continue;
        }
        for _ in 0..SENDS_PER_SYNC {
            let shop = shop.clone();
            let claim = blocking(&session.engine, move |e| {
                let c = e.db.write(|c| match kind {
                    Kind::Delivery => outbox::claim_delivery(c, &e.vault, &shop, timeout_ms),
                    Kind::Reply => outbox::claim_reply(c, &shop, timeout_ms),
                })?;
                // The intent (and for a delivery, its allocation) must survive a power cut
                // before anything reaches the buyer.
                e.db.ensure_durable()?;
                Ok(c)
            })
            .await?;
            let Some(claim) = claim else { break };
            match send(session, kind, &claim).await? {
                Sent::Yes => match kind {
                    Kind::Delivery => report.deliveries_sent += 1,
                    Kind::Reply => report.replies_sent += 1,
                },
                Sent::Refused => report.refused += 1,
                // Shopee is busy or did not answer: stop here, the next sync goes on.
                Sent::Later => break,
            }
        }
    }
    Ok(())
}

enum Sent {
    Yes,
    Refused,
    Later,
}

/// Sends a claim's parts that Shopee has not taken yet, one message each, in order. Each part
/// taken is recorded (and made durable) before the next goes, so a crash anywhere sends no
/// part twice: the part in flight is settled against the chat.
async fn send(session: &Session, kind: Kind, claim: &Claimed) -> Result<Sent, RoadError> {
    let n = claim.parts.len();
    let id = claim.id;
    let mut from = claim.parts_sent;
    if claim.after_extension {
        // The extension had it: a tab that closed half-way may have typed some parts. The chat
        // says how far it got, as it does for a send of this road that got no answer.
        let (shown, last_id) = find_in_chat(session, claim).await?;
        if shown >= n {
            let last = last_id.unwrap_or_default();
            blocking(&session.engine, move |e| {
                outbox::sent(e, kind, id, &last, n)
            })
            .await?;
            return Ok(Sent::Yes);
        }
        if shown > from {
            from = shown;
            blocking(&session.engine, move |e| {
                e.db.write(|c| outbox::part_sent(c, kind, id, shown))?;
                e.db.ensure_durable()
            })
            .await?;
        }
    }
    for k in from..n {
        match send_part(session, kind, claim, &claim.parts[k]).await? {
            Part::Took(message_id) if k + 1 == n => {
                blocking(&session.engine, move |e| {
                    outbox::sent(e, kind, id, &message_id, n)
                })
                .await?;
                return Ok(Sent::Yes);
            }
            Part::Took(_) => {
                blocking(&session.engine, move |e| {
                    e.db.write(|c| outbox::part_sent(c, kind, id, k + 1))?;
                    e.db.ensure_durable()
                })
                .await?;
            }
            Part::Stop(s) => return Ok(s),
        }
    }
    // Shopee took every part already; only the confirmation was missing.
    blocking(&session.engine, move |e| outbox::sent(e, kind, id, "", n)).await?;
    Ok(Sent::Yes)
}

/// What one part's send came to.
enum Part {
    /// Shopee took it, with this message id.
    Took(String),
    Stop(Sent),
}

async fn send_part(
    session: &Session,
    kind: Kind,
    claim: &Claimed,
    part: &str,
) -> Result<Part, RoadError> {
    let body = json!({
        "to_id": claim.buyer_user_id,
        "message_type": "text",
        "content": {"text": part},
    });
    let id = claim.id;
    match session.post("/api/v2/sellerchat/send_message", body).await {
        Ok(v) => Ok(Part::Took(
            v.get("response")
                .and_then(|r| r.get("message_id"))
                .map(text)
                .unwrap_or_default(),
        )),
        Err(RoadError::Shopee(e))
            if e.is_busy() && !matches!(e, super::client::CallError::Transport(_)) =>
        {
            // Shopee answered that it did not take it: free for either road again (the
            // parts it took stay recorded).
            blocking(&session.engine, move |en| {
                en.db.write(|c| outbox::release(c, kind, id))
            })
            .await?;
            Ok(Part::Stop(Sent::Later))
        }
        // No answer at all: it may have been sent. The claim stays until it is settled.
        Err(RoadError::Shopee(super::client::CallError::Transport(msg))) => {
            tracing::warn!(
                shop_id = session.shop_id,
                id,
                "send_message got no answer ({msg}); will check the chat"
            );
            Ok(Part::Stop(Sent::Later))
        }
        Err(RoadError::Shopee(e)) if e.clock_off_minutes().is_none() && !e.is_expired_token() => {
            let reason = crate::orders::Note::ChatRefused {
                refusal: e.code().unwrap_or("").to_string(),
                said: e.to_string(),
            };
            tracing::warn!(
                shop_id = session.shop_id,
                id,
                code = e.code().unwrap_or(""),
                "Shopee chat refused a message"
            );
            blocking(&session.engine, move |en| {
                if let Some(order) = en.db.write(|c| outbox::refused(c, kind, id, &reason))? {
                    let order = en.db.read(|c| crate::orders::get_order(c, order))?;
                    en.order_event(&order);
                }
                Ok(())
            })
            .await?;
            Ok(Part::Stop(Sent::Refused))
        }
        Err(other) => {
            blocking(&session.engine, move |en| {
                en.db.write(|c| outbox::release(c, kind, id))
            })
            .await?;
            Err(other)
        }
    }
}

/// Shopee's chat refusals in the seller's words (codes from `MonveChen/shopee-openapi-v2`
/// and sellers' reports; see ../shared/SHOPEE-NOTES.md).
pub fn refusal_words(code: &str, said: &str) -> String {
    let c = code.to_ascii_lowercase();
    let what = if c == "first_chat_without_order_info" {
        "Shopee does not let the shop open a chat with this buyer from the API before the buyer has an order conversation; send it from the order page in Seller Centre, then mark it delivered"
    } else if c == "user_is_forbidden" {
        "Shopee does not allow messages to this buyer (the account is restricted or has blocked chat)"
    } else if c.contains("5_message") {
        "Shopee allows only 5 messages in a row before the buyer answers; wait for the buyer's reply, then send again"
    } else if c == "message_too_long" {
        "a message is longer than Shopee chat takes (600 characters); set the longest chat message in Settings → Automatic delivery to 600 or less, then send it again"
    } else if c.contains("block") {
        "the buyer has blocked chat with this shop"
    } else {
        return format!("Shopee chat refused the message: {said}");
    };
    format!("{what} ({code})")
}

/// Settles sends that got no answer: found in the chat → confirmed with that message's id;
/// surely not there → free to send again; the chat cannot be read now → left for later.
pub async fn settle(
    session: &Session,
    all: bool,
    report: &mut ChatReport,
) -> Result<(), RoadError> {
    let shop = session.shop_id.to_string();
    let older_than = if all {
        i64::MAX
    } else {
        crate::store::now_ms() - SETTLE_AFTER_MS
    };
    for kind in [Kind::Delivery, Kind::Reply] {
        let shop = shop.clone();
        let claims = blocking(&session.engine, move |e| {
            e.db.read(|c| outbox::unsettled(c, &e.vault, kind, &shop, older_than))
        })
        .await?;
        for claim in claims {
            let (shown, last_id) = find_in_chat(session, &claim).await?;
            let (id, n) = (claim.id, claim.parts.len());
            // Every part in the chat: confirmed; else it goes on after the last part shown.
            let done = shown.max(claim.parts_sent);
            blocking(&session.engine, move |e| {
                if done >= n {
                    outbox::sent(e, kind, id, last_id.as_deref().unwrap_or(""), n)
                } else {
                    e.db.write(|c| outbox::resume_later(c, kind, id, done))
                }
            })
            .await?;
            report.settled += 1;
        }
    }
    Ok(())
}

/// How many of the claim's parts, from the first, the chat shows in order (messages from the
/// shop to the claim's buyer with a part's text, sent no earlier than the claim, with a few
/// minutes' grace for clocks), and the id of the message of the last one.
async fn find_in_chat(
    session: &Session,
    claim: &Claimed,
) -> Result<(usize, Option<String>), RoadError> {
    let Some(conversation) = conversation_with(session, claim.buyer_user_id).await? else {
        return Ok((0, None));
    };
    let v = session
        .get(
            "/api/v2/sellerchat/get_message",
            &[
                ("conversation_id", conversation),
                ("page_size", "50".into()),
            ],
        )
        .await?;
    let since = claim.created_at / 1000 - 300;
    let buyer = claim.buyer_user_id;
    // Oldest first (Shopee lists the newest first), the shop's own since the claim.
    let ours: Vec<(String, String)> = messages(&v)
        .into_iter()
        .rev()
        .filter_map(|m| {
            let from = m.get("from_id").and_then(int);
            let at = m.get("created_timestamp").and_then(int).unwrap_or(0);
            let body = m.get("content")?.get("text")?.as_str()?.to_string();
            (from != Some(buyer) && at >= since)
                .then(|| (m.get("message_id").map(text).unwrap_or_default(), body))
        })
        .collect();
    let texts: Vec<&str> = ours.iter().map(|(_, t)| t.as_str()).collect();
    let (mut shown, mut last) = parts::shown_in_order(&claim.parts, &texts);
    if shown < claim.parts_sent {
        // The parts Shopee took earlier are off this page: look for the rest on their own.
        let (more, at) = parts::shown_in_order(&claim.parts[claim.parts_sent..], &texts);
        (shown, last) = (claim.parts_sent + more, at);
    }
    Ok((shown, last.map(|i| ours[i].0.clone())))
}

/// The conversation with a buyer, from the newest conversations back.
async fn conversation_with(session: &Session, buyer: i64) -> Result<Option<String>, RoadError> {
    let mut cursor: Option<String> = None;
    for _ in 0..CONVERSATION_PAGES {
        let (convs, next) = conversation_page(session, cursor.as_deref()).await?;
        if let Some(c) = convs
            .iter()
            .find(|c| c.get("to_id").and_then(int) == Some(buyer))
        {
            return Ok(c.get("conversation_id").map(text));
        }
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    Ok(None)
}

/// One page of conversations, newest first, and the cursor of the next when there is one.
async fn conversation_page(
    session: &Session,
    cursor: Option<&str>,
) -> Result<(Vec<Value>, Option<String>), RoadError> {
    let mut q = vec![
        ("direction", "older".to_string()),
        ("type", "all".to_string()),
        ("page_size", "50".to_string()),
    ];
    if let Some(c) = cursor {
        q.push(("next_timestamp_nano", c.to_string()));
    }
    let v = session
        .get("/api/v2/sellerchat/get_conversation_list", &q)
        .await?;
    let r = v.get("response").unwrap_or(&Value::Null);
    let convs = r
        .get("conversations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let page = r.get("page_result").unwrap_or(&Value::Null);
    let more = page.get("more").and_then(Value::as_bool).unwrap_or(false);
    let next = page
        .get("next_cursor")
        .and_then(|c| c.get("next_message_time_nano"))
        .map(text)
        .filter(|n| !n.is_empty() && n != "0" && Some(n.as_str()) != cursor);
    Ok((convs, if more { next } else { None }))
}

fn messages(v: &Value) -> Vec<Value> {
    v.get("response")
        .and_then(|r| r.get("messages"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Brings buyers' new text messages into the assistant (each once: its message id).
pub async fn pull_messages(session: &Session, report: &mut ChatReport) -> Result<(), RoadError> {
    let shop_id = session.shop_id;
    let mark = blocking(&session.engine, move |e| {
        e.db.read(|c| store::sync_mark(c, shop_id))
    })
    .await?;
    let now_nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
    let since = mark
        .chat_since_nano
        .unwrap_or(now_nanos - FIRST_CHAT_WINDOW_NANOS);
    let mut newest = since;
    let mut cursor: Option<String> = None;
    let mut waiting = Vec::new();
    'pages: for _ in 0..CONVERSATION_PAGES {
        let (convs, next) = conversation_page(session, cursor.as_deref()).await?;
        for c in convs {
            let last = c.get("last_message_timestamp").and_then(int).unwrap_or(0);
            if last <= since {
                break 'pages;
            }
            newest = newest.max(last);
            // Only a conversation where the buyer wrote last (or left something unread) has
            // anything to read: most are the shop's own deliveries.
            let buyer_last = c.get("latest_message_from_id").and_then(int).is_some()
                && c.get("latest_message_from_id").and_then(int) == c.get("to_id").and_then(int);
            let unread = c.get("unread_count").and_then(int).unwrap_or(0) > 0;
            if buyer_last || unread {
                waiting.push(c);
            }
        }
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    for c in waiting {
        let Some(conversation_id) = c.get("conversation_id").map(text).filter(|s| !s.is_empty())
        else {
            continue;
        };
        let buyer_id = c.get("to_id").and_then(int);
        let buyer_name = c.get("to_name").map(text).unwrap_or_default();
        let v = session
            .get(
                "/api/v2/sellerchat/get_message",
                &[
                    ("conversation_id", conversation_id.clone()),
                    ("page_size", "25".into()),
                ],
            )
            .await?;
        let since_secs = since / 1_000_000_000;
        let inputs: Vec<MessageInput> = messages(&v)
            .into_iter()
            .filter(|m| buyer_id.is_some() && m.get("from_id").and_then(int) == buyer_id)
            .filter(|m| m.get("created_timestamp").and_then(int).unwrap_or(0) >= since_secs)
            .filter_map(|m| {
                let body = m.get("content")?.get("text")?.as_str()?.trim().to_string();
                (!body.is_empty()).then(|| MessageInput {
                    shop: shop_id.to_string(),
                    conversation_id: conversation_id.clone(),
                    buyer: Buyer {
                        username: buyer_name.chars().take(100).collect(),
                        user_id: buyer_id,
                    },
                    text: body,
                    message_id: m.get("message_id").map(text).filter(|s| !s.is_empty()),
                    order_sn: m
                        .get("source_content")
                        .and_then(|s| s.get("order_sn"))
                        .map(text)
                        .filter(|s| !s.is_empty()),
                    item_id: m
                        .get("source_content")
                        .and_then(|s| s.get("item_id"))
                        .and_then(int)
                        .filter(|&i| i > 0),
                    product_id: None,
                })
            })
            .collect();
        let n = inputs.len();
        blocking(&session.engine, move |e| {
            for input in inputs {
                if let Err(err) = e.receive_message(input) {
                    tracing::warn!("a Shopee chat message was not taken in: {err}");
                }
            }
            Ok(())
        })
        .await?;
        report.messages += n;
    }
    blocking(&session.engine, move |e| {
        e.db.write(|c| store::set_chat_since(c, shop_id, newest))
    })
    .await?;
    Ok(())
}
