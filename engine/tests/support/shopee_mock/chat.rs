//! Seller chat: `send_message`, `get_conversation_list`, `get_message`, and the test's side
//! (buyers writing, refusals, what each buyer received).
//!
//! Where the shapes come from:
//! - Request and answer fields of the three calls: MonveChen/shopee-openapi-v2 src/chat.ts
//!   (send_message `{to_id, message_type, content{text | order_sn ...}}` → `response
//!   {to_id, message_id (string), message_type, content, conversation_id, created_timestamp,
//!   message_option}`, whose `conversation_id` that SDK rewrites from a bare number to a string
//!   before parsing, so it is served as a JSON integer here; get_conversation_list
//!   `direction` latest|older, `type` all|pinned|unread, `next_timestamp_nano`, `page_size` →
//!   `page_result {page_size, more, next_cursor {next_message_time_nano, conversation_id}}`,
//!   conversations `{conversation_id, to_id, to_name, to_avatar, shop_id, unread_count, pinned,
//!   last_read_message_id, latest_message_id, latest_message_type, latest_message_content,
//!   latest_message_from_id, last_message_timestamp, ...}`; get_message `conversation_id`,
//!   `offset`, `page_size` → `messages [{message_id, message_type, from_id, to_id,
//!   from_shop_id, to_shop_id, conversation_id, created_timestamp, region, status, source,
//!   content, message_option, source_content {order_sn, item_id}}]`, `page_result {page_size,
//!   next_offset}`).
//! - `last_message_timestamp` in nanoseconds, `created_timestamp` in seconds, ids as 64-bit
//!   integers beyond 2^53: SHOPEE-NOTES.md (observed), and a Node inbox's comment that the
//!   nanosecond timestamp "arrives as a number already rounded past 2^53" (seen). Conversation
//!   ids here are odd numbers above 2^62, which an f64 cannot hold.
//! - Newest message first in get_message; a buyer's message has `from_shop_id` 0 (seen: the
//!   same Node inbox). The shop's own user id in `from_id`/`to_id` is its shop id: inferred.
//! - Refusals `first_chat_without_order_info` ("If 2 users have no existing conversation, the
//!   message must contain order information between 2 users.", seen quoted from live answers),
//!   `user_is_forbidden`, `reach_5_message_limit` (at most 5 messages in a row before the buyer
//!   answers), `message_too_long` (600 characters), `error_blocked` (the buyer blocked the
//!   shop): seen in public code that maps Shopee's documented send errors for its operators;
//!   their message texts here, and the paging details of both lists: inferred.
//! - A refusal configured for a buyer is served on every send to that buyer, whatever its
//!   content (Shopee's first-chat rule is conditional; the test wants a deterministic refusal).

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{body_u64, int_param, json_body, ok_response, param_error, refuse, Answer};
use super::{MockState, Params, ShopeeMock};

/// Shopee's longest text message, in characters.
const MAX_TEXT: usize = 600;
/// Messages the shop may send in a row before the buyer answers.
const MAX_IN_A_ROW: usize = 5;

/// The ways Shopee refuses a chat message, as a test can configure them per buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatRefusal {
    FirstChatWithoutOrderInfo,
    UserIsForbidden,
    Reach5MessageLimit,
    MessageTooLong,
    /// The buyer blocked the shop.
    Blocked,
}

impl ChatRefusal {
    /// Every kind, for tests that try them all.
    pub const ALL: [ChatRefusal; 5] = [
        ChatRefusal::FirstChatWithoutOrderInfo,
        ChatRefusal::UserIsForbidden,
        ChatRefusal::Reach5MessageLimit,
        ChatRefusal::MessageTooLong,
        ChatRefusal::Blocked,
    ];

    /// Shopee's `error` code for it.
    pub fn code(self) -> &'static str {
        match self {
            ChatRefusal::FirstChatWithoutOrderInfo => "first_chat_without_order_info",
            ChatRefusal::UserIsForbidden => "user_is_forbidden",
            ChatRefusal::Reach5MessageLimit => "reach_5_message_limit",
            ChatRefusal::MessageTooLong => "message_too_long",
            ChatRefusal::Blocked => "error_blocked",
        }
    }

    fn message(self) -> &'static str {
        match self {
            ChatRefusal::FirstChatWithoutOrderInfo => "If user send message from Open API, must satisfy the following conditions: If 2 users have no existing conversation, the message must contain order information between 2 users.",
            ChatRefusal::UserIsForbidden => "You can only message buyers who chatted with you in the last 7 days, ordered in the last 30 days or have an open return or refund.",
            ChatRefusal::Reach5MessageLimit => "You can send at most 5 messages in a row before the buyer replies.",
            ChatRefusal::MessageTooLong => "The text message is too long, the max length is 600.",
            ChatRefusal::Blocked => "The user has blocked you.",
        }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone)]
pub struct ChatMessage {
    pub message_id: String,
    /// Sent by the shop (else by the buyer).
    pub from_shop: bool,
    /// "text" or "order".
    pub message_type: String,
    pub text: String,
    pub order_sn: Option<String>,
    pub created_timestamp: i64,
    nanos: i64,
}

/// A text the shop sent to a buyer.
#[derive(Debug, Clone)]
pub struct SentMessage {
    pub shop_id: u64,
    pub buyer_id: u64,
    pub message_id: String,
    pub text: String,
}

#[derive(Debug)]
struct Conversation {
    id: u64,
    buyer_name: String,
    messages: Vec<ChatMessage>,
    unread: u64,
}

impl Conversation {
    fn last_nanos(&self) -> i64 {
        self.messages.last().map(|m| m.nanos).unwrap_or(0)
    }
}

/// One shop's chat.
#[derive(Debug, Default)]
pub(crate) struct ShopChat {
    conversations: BTreeMap<u64, Conversation>,
    refusals: HashMap<u64, ChatRefusal>,
    attempts: HashMap<u64, u64>,
}

/// A conversation id: an odd number above 2^62 (no f64 holds it exactly).
fn conversation_id(n: u64) -> u64 {
    (1u64 << 62) + 2 * (n * 500_009) + 1
}

/// A message id, as Shopee's: a 64-bit number in a string.
fn message_id(n: u64) -> String {
    ((1u64 << 61) + 2 * n + 1).to_string()
}

impl MockState {
    /// Appends a message to a buyer's conversation, opening it when there is none.
    fn push_message(
        &mut self,
        shop_id: u64,
        buyer_id: u64,
        buyer_name: Option<&str>,
        mut message: ChatMessage,
    ) -> (u64, ChatMessage) {
        let n = self.next_id();
        message.nanos = self.now_nanos();
        message.created_timestamp = message.nanos / 1_000_000_000;
        message.message_id = message_id(n);
        let shop = self.shop_or_default(shop_id);
        let known_name = shop
            .orders
            .values()
            .find(|o| o.buyer_user_id == buyer_id)
            .map(|o| o.buyer_username.clone());
        let conv = shop
            .chat
            .conversations
            .entry(buyer_id)
            .or_insert_with(|| Conversation {
                id: conversation_id(n),
                buyer_name: buyer_name
                    .map(str::to_string)
                    .or(known_name)
                    .unwrap_or_else(|| format!("buyer{buyer_id}")),
                messages: Vec::new(),
                unread: 0,
            });
        if let Some(name) = buyer_name {
            conv.buyer_name = name.to_string();
        }
        if !message.from_shop {
            conv.unread += 1;
        }
        conv.messages.push(message.clone());
        (conv.id, message)
    }
}

fn new_message(from_shop: bool, kind: &str, text: &str, order_sn: Option<&str>) -> ChatMessage {
    ChatMessage {
        message_id: String::new(),
        from_shop,
        message_type: kind.to_string(),
        text: text.to_string(),
        order_sn: order_sn.map(str::to_string),
        created_timestamp: 0,
        nanos: 0,
    }
}

// -------------------------------------------------------------------------------------------
// The test's side
// -------------------------------------------------------------------------------------------

impl ShopeeMock {
    /// Every send to this buyer is refused this way until [`ShopeeMock::allow_sends`].
    pub fn refuse_sends(&self, shop_id: u64, buyer_id: u64, refusal: ChatRefusal) {
        let mut st = self.state();
        st.shop_or_default(shop_id)
            .chat
            .refusals
            .insert(buyer_id, refusal);
    }

    /// Sends to this buyer follow Shopee's usual rules again.
    pub fn allow_sends(&self, shop_id: u64, buyer_id: u64) {
        let mut st = self.state();
        st.shop_or_default(shop_id).chat.refusals.remove(&buyer_id);
    }

    /// A buyer writes to the shop; returns (conversation id, message id).
    pub fn buyer_says(&self, shop_id: u64, buyer_id: u64, name: &str, text: &str) -> (u64, String) {
        self.buyer_says_about(shop_id, buyer_id, name, text, None)
    }

    /// The seller (or the extension in the seller's Seller Centre tab) writes to a buyer outside
    /// the API; returns the message id.
    pub fn seller_centre_says(&self, shop_id: u64, buyer_id: u64, text: &str) -> String {
        let mut st = self.state();
        let (_, msg) = st.push_message(
            shop_id,
            buyer_id,
            None,
            new_message(true, "text", text, None),
        );
        msg.message_id
    }

    /// A buyer writes to the shop from an order's page (the message carries the order).
    pub fn buyer_says_about(
        &self,
        shop_id: u64,
        buyer_id: u64,
        name: &str,
        text: &str,
        order_sn: Option<&str>,
    ) -> (u64, String) {
        let mut st = self.state();
        let (conv, msg) = st.push_message(
            shop_id,
            buyer_id,
            Some(name),
            new_message(false, "text", text, order_sn),
        );
        (conv, msg.message_id)
    }

    /// The texts the shop sent this buyer, oldest first.
    pub fn sent_to(&self, shop_id: u64, buyer_id: u64) -> Vec<String> {
        self.chat_with(shop_id, buyer_id)
            .into_iter()
            .filter(|m| m.from_shop && m.message_type == "text")
            .map(|m| m.text)
            .collect()
    }

    /// Every message of the conversation with this buyer, oldest first.
    pub fn chat_with(&self, shop_id: u64, buyer_id: u64) -> Vec<ChatMessage> {
        let st = self.state();
        st.shops
            .get(&shop_id)
            .and_then(|s| s.chat.conversations.get(&buyer_id))
            .map(|c| c.messages.clone())
            .unwrap_or_default()
    }

    /// Calls of send_message to this buyer that got past the checks (sent or refused by chat).
    pub fn send_attempts(&self, shop_id: u64, buyer_id: u64) -> u64 {
        let st = self.state();
        st.shops
            .get(&shop_id)
            .and_then(|s| s.chat.attempts.get(&buyer_id).copied())
            .unwrap_or(0)
    }

    /// Every text the shops sent, in no particular order across buyers.
    pub fn all_sent(&self) -> Vec<SentMessage> {
        let st = self.state();
        let mut out = Vec::new();
        for (shop_id, shop) in &st.shops {
            for (buyer_id, conv) in &shop.chat.conversations {
                for m in conv
                    .messages
                    .iter()
                    .filter(|m| m.from_shop && m.message_type == "text")
                {
                    out.push(SentMessage {
                        shop_id: *shop_id,
                        buyer_id: *buyer_id,
                        message_id: m.message_id.clone(),
                        text: m.text.clone(),
                    });
                }
            }
        }
        out
    }

    /// The id of the conversation with this buyer, if there is one.
    pub fn conversation_id(&self, shop_id: u64, buyer_id: u64) -> Option<u64> {
        let st = self.state();
        st.shops
            .get(&shop_id)
            .and_then(|s| s.chat.conversations.get(&buyer_id))
            .map(|c| c.id)
    }
}

// -------------------------------------------------------------------------------------------
// The calls
// -------------------------------------------------------------------------------------------

pub(crate) fn send_message(
    st: &mut MockState,
    shop_id: u64,
    body: &Bytes,
    hang: &mut bool,
) -> Answer {
    let body = json_body(body)?;
    let to_id = body_u64(&body, "to_id")?;
    let kind = body["message_type"].as_str().unwrap_or("");
    let (text, order_sn) = match kind {
        "text" => {
            let text = body["content"]["text"].as_str().unwrap_or("");
            if text.is_empty() {
                return Err(param_error(
                    "Wrong parameters, detail: content.text is required.",
                ));
            }
            (text.to_string(), None)
        }
        "order" => {
            let sn = body["content"]["order_sn"].as_str().unwrap_or("");
            if sn.is_empty() {
                return Err(param_error(
                    "Wrong parameters, detail: content.order_sn is required.",
                ));
            }
            (String::new(), Some(sn.to_string()))
        }
        _ => {
            return Err(param_error(
                "Wrong parameters, detail: message_type is invalid.",
            ))
        }
    };
    let chat = &mut st.shop_or_default(shop_id).chat;
    *chat.attempts.entry(to_id).or_default() += 1;
    let refusal = if let Some(r) = chat.refusals.get(&to_id) {
        Some(*r)
    } else if text.chars().count() > MAX_TEXT {
        Some(ChatRefusal::MessageTooLong)
    } else {
        let in_a_row = chat
            .conversations
            .get(&to_id)
            .map(|c| c.messages.iter().rev().take_while(|m| m.from_shop).count())
            .unwrap_or(0);
        (st.five_message_rule && in_a_row >= MAX_IN_A_ROW)
            .then_some(ChatRefusal::Reach5MessageLimit)
    };
    if let Some(r) = refusal {
        return Err(refuse(StatusCode::BAD_REQUEST, r.code(), r.message()));
    }
    let (conv, msg) = st.push_message(
        shop_id,
        to_id,
        None,
        new_message(true, kind, &text, order_sn.as_deref()),
    );
    if st.hang_next_send && st.sends_before_hang > 0 {
        st.sends_before_hang -= 1;
    } else if st.hang_next_send {
        st.hang_next_send = false;
        st.hung_sends += 1;
        *hang = true;
    }
    let content = match &msg.order_sn {
        Some(sn) => json!({ "order_sn": sn }),
        None => json!({ "text": msg.text }),
    };
    Ok(ok_response(json!({
        "to_id": to_id,
        "message_id": msg.message_id,
        "message_type": msg.message_type,
        "content": content,
        "conversation_id": conv,
        "created_timestamp": msg.created_timestamp,
        "message_option": 0,
        "region": "ID",
    })))
}

/// `page_size` within 1..=100, default 25.
fn page_size(q: &Params) -> Result<usize, super::Refusal> {
    let n = int_param(q, "page_size")?.unwrap_or(25);
    if !(1..=100).contains(&n) {
        return Err(param_error(
            "Wrong parameters, detail: page_size should be between 1 and 100.",
        ));
    }
    Ok(n as usize)
}

pub(crate) fn conversation_list(st: &mut MockState, shop_id: u64, q: &Params) -> Answer {
    let direction = q.get("direction").map(String::as_str).unwrap_or("");
    if direction != "latest" && direction != "older" {
        return Err(param_error(
            "Wrong parameters, detail: direction should be latest or older.",
        ));
    }
    let kind = q.get("type").map(String::as_str).unwrap_or("");
    if !matches!(kind, "all" | "pinned" | "unread") {
        return Err(param_error(
            "Wrong parameters, detail: type should be all, pinned or unread.",
        ));
    }
    let size = page_size(q)?;
    let cursor = int_param(q, "next_timestamp_nano")?.filter(|n| *n > 0);
    let shop = st.shop_or_default(shop_id);
    let mut convs: Vec<(u64, &Conversation)> = shop
        .chat
        .conversations
        .iter()
        .map(|(b, c)| (*b, c))
        .filter(|(_, c)| !c.messages.is_empty())
        .filter(|(_, c)| match kind {
            "pinned" => false,
            "unread" => c.unread > 0,
            _ => true,
        })
        .filter(|(_, c)| match (direction, cursor) {
            (_, None) => true,
            ("older", Some(n)) => c.last_nanos() < n,
            (_, Some(n)) => c.last_nanos() > n,
        })
        .collect();
    convs.sort_by_key(|(_, c)| std::cmp::Reverse(c.last_nanos()));
    let more = convs.len() > size;
    convs.truncate(size);
    let next = convs.last().map(|(_, c)| (c.last_nanos(), c.id));
    let list: Vec<Value> = convs
        .iter()
        .map(|(buyer, c)| {
            let last = c.messages.last().expect("not empty");
            let content = match &last.order_sn {
                Some(sn) if last.message_type == "order" => json!({ "order_sn": sn }),
                _ => json!({ "text": last.text }),
            };
            json!({
                "conversation_id": c.id,
                "to_id": buyer,
                "to_name": c.buyer_name,
                "to_avatar": "",
                "shop_id": shop_id,
                "unread_count": c.unread,
                "pinned": false,
                "last_read_message_id": "0",
                "latest_message_id": last.message_id,
                "latest_message_type": last.message_type,
                "latest_message_content": content,
                "latest_message_from_id": if last.from_shop { shop_id } else { *buyer },
                "last_message_timestamp": last.nanos,
                "last_message_option": 0,
                "max_general_option_hide_time": "9223372036854775",
            })
        })
        .collect();
    let (next_nanos, next_conv) = next
        .map(|(n, id)| (n.to_string(), id.to_string()))
        .unwrap_or_default();
    Ok(ok_response(json!({
        "page_result": {
            "page_size": list.len(),
            "more": more,
            "next_cursor": { "next_message_time_nano": next_nanos, "conversation_id": next_conv },
        },
        "conversations": list,
    })))
}

pub(crate) fn messages(st: &mut MockState, shop_id: u64, q: &Params) -> Answer {
    let wanted = q
        .get("conversation_id")
        .and_then(|c| c.trim().parse::<u64>().ok())
        .ok_or_else(|| param_error("Wrong parameters, detail: conversation_id is invalid."))?;
    let size = page_size(q)?;
    let offset = match q.get("offset").map(|o| o.trim()) {
        None | Some("") => 0,
        Some(o) => o
            .parse::<usize>()
            .map_err(|_| param_error("Wrong parameters, detail: offset is invalid."))?,
    };
    let shop = st.shop_or_default(shop_id);
    let Some((buyer, conv)) = shop.chat.conversations.iter().find(|(_, c)| c.id == wanted) else {
        return Err(param_error(
            "Wrong parameters, detail: the conversation is not found.",
        ));
    };
    let newest_first: Vec<&ChatMessage> = conv.messages.iter().rev().collect();
    let page: Vec<Value> = newest_first
        .iter()
        .skip(offset)
        .take(size)
        .map(|m| {
            let (from_id, to_id, from_shop_id, to_shop_id) = if m.from_shop {
                (shop_id, *buyer, shop_id, 0)
            } else {
                (*buyer, shop_id, 0, shop_id)
            };
            let content = match &m.order_sn {
                Some(sn) if m.message_type == "order" => json!({ "order_sn": sn }),
                _ => json!({ "text": m.text }),
            };
            let source_content = match &m.order_sn {
                Some(sn) => json!({ "order_sn": sn, "item_id": 0 }),
                None => json!({}),
            };
            json!({
                "message_id": m.message_id,
                "message_type": m.message_type,
                "from_id": from_id,
                "to_id": to_id,
                "from_shop_id": from_shop_id,
                "to_shop_id": to_shop_id,
                "conversation_id": conv.id.to_string(),
                "created_timestamp": m.created_timestamp,
                "region": "ID",
                "status": "normal",
                "source": if m.from_shop { "openapi" } else { "android" },
                "content": content,
                "message_option": 0,
                "source_content": source_content,
            })
        })
        .collect();
    let end = offset + page.len();
    let next_offset = if end < newest_first.len() {
        end.to_string()
    } else {
        String::new()
    };
    Ok(ok_response(json!({
        "messages": page,
        "page_result": { "page_size": page.len(), "next_offset": next_offset },
    })))
}
