//! Conversations with buyers: their messages and the replies to them (drafts, outbox, sent).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The buyer, as Shopee names them. Orders and chat messages report it this way too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Buyer {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub user_id: Option<i64>,
}

/// A conversation as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationSummary {
    pub id: i64,
    pub shop: String,
    /// Shopee's conversation id.
    pub conversation_id: String,
    pub buyer: Buyer,
    pub product_id: Option<i64>,
    pub order_sn: Option<String>,
    pub last_message: Option<String>,
    pub last_message_at: DateTime<Utc>,
    /// Questions the seller still owes an answer to (waiting or drafted).
    pub open_questions: i64,
    pub drafts: i64,
}

/// `GET /conversations`: newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationPage {
    pub conversations: Vec<ConversationSummary>,
    pub next_cursor: Option<i64>,
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    /// in (from the buyer) or out (sent to the buyer).
    pub direction: String,
    pub text: String,
    pub language: String,
    /// For inbound: who answered (faq, llm, seller, none); for outbound: who wrote it.
    pub source: String,
    pub faq_id: Option<i64>,
    pub score: Option<f32>,
    pub latency_us: Option<i64>,
    /// waiting (the seller owes an answer), drafted, answered.
    pub state: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// A reply in the outbox or waiting for approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reply {
    pub id: i64,
    /// Our conversation id.
    pub conversation: i64,
    pub shop: String,
    /// Shopee's conversation id, to find the chat.
    pub conversation_id: String,
    pub buyer: Buyer,
    /// The buyer message it answers.
    pub message_id: Option<i64>,
    pub text: String,
    /// The text in the chat-sized parts it is posted as, one message each, in order (one part,
    /// the text, when it fits). Cut under the seller's chat limit, and fixed once a road takes
    /// the reply, so a limit changed half-way never recuts what the buyer is reading.
    #[serde(default)]
    pub parts: Vec<String>,
    /// How many parts the Open Platform road has seen Shopee take (a reply cut short resumes
    /// there; the extension reads its progress from the chat itself).
    #[serde(default)]
    pub parts_sent: i64,
    /// faq, llm or seller.
    pub source: String,
    pub faq_id: Option<i64>,
    pub score: Option<f32>,
    /// draft (waits for the seller), pending (to be sent), sent, discarded.
    pub status: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// `GET /replies`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyList {
    pub replies: Vec<Reply>,
}

/// `GET /conversations/{id}`: the summary's fields, the thread and its replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub summary: ConversationSummary,
    pub messages: Vec<Message>,
    pub replies: Vec<Reply>,
}

/// `POST /replies/{id}/approve`: the seller approves a draft, optionally edited.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// The text to send instead of the draft's, if the seller edited it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// `POST /conversations/{id}/reply`: the seller's own answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SellerReply {
    pub text: String,
}
