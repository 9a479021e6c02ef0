//! Orders: intake (idempotent on shop + order_sn), the status machine, the trail, queries.

pub mod bench;
mod intake;
mod note;
mod query;
mod status;
mod trail;

pub use intake::{intake_order, validate_order, IntakeContext, ValidOrder, UNKNOWN_STATUS};
pub use note::{parse_params, Note};
pub use query::{
    export_csv, get_order, get_order_detail, list_orders, load_order, OrderFilter, OrderPage,
};
pub use status::{parse_reported, Status};
pub use trail::{record_event, record_event_in, set_attention, transition};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The buyer, as Shopee names them (the API's type: orders and chat messages carry it).
pub use auto_api::Buyer;

/// An order as a source reports it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    pub shop: String,
    pub order_sn: String,
    /// AUTO's status names or Shopee's (`READY_TO_SHIP`, `COMPLETED`, ...).
    pub status: String,
    #[serde(default)]
    pub buyer: Buyer,
    pub lines: Vec<LineInput>,
    #[serde(default)]
    pub total: Option<f64>,
    pub currency: String,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
    /// Fulfilled on Shopee before AUTO first saw it (a shop's history, pulled when it is
    /// connected): recorded, never delivered. Set by AUTO's own readers, not by callers.
    #[serde(skip)]
    pub historic: bool,
}

/// One order line as reported.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub item_id: Option<i64>,
    #[serde(default)]
    pub model_id: Option<i64>,
    pub quantity: i64,
    #[serde(default)]
    pub unit_price: f64,
}

/// An order as AUTO keeps it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Order {
    pub id: i64,
    pub shop: String,
    pub order_sn: String,
    pub status: Status,
    /// Why the order waits for the seller: out_of_stock, unknown_sku, product_inactive, send_failed;
    /// on an unpaid order, unknown_status (Shopee's status was not one AUTO knows).
    pub attention_reason: Option<String>,
    /// The reason in English words.
    pub attention_detail: Option<String>,
    /// The reason's parameters, for the UI to word it in the seller's language.
    #[schema(value_type = Object)]
    pub attention_params: serde_json::Map<String, serde_json::Value>,
    pub buyer: Buyer,
    pub lines: Vec<Line>,
    pub total: f64,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Line {
    pub id: i64,
    /// Empty when the line came with its Shopee item/model only.
    pub sku: String,
    pub item_id: Option<i64>,
    pub model_id: Option<i64>,
    pub quantity: i64,
    pub unit_price: f64,
    pub product_id: Option<i64>,
    /// The product's name as it is now (null when no product matches).
    pub product_name: Option<String>,
    /// How the line finds its product: "listing" (the Shopee item/model is mapped to it) or
    /// "sku"; null when no product matches.
    pub matched_by: Option<String>,
}

/// One entry of an order's trail: who moved it, when, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub from: Option<Status>,
    pub to: Status,
    pub actor: String,
    /// The English words (older clients, logs).
    pub reason: String,
    /// What happened, for the UI to word in the seller's language (older events: null).
    pub code: Option<String>,
    /// The code's parameters (product, counts, Shopee's words...).
    #[schema(value_type = Object)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// A delivery of an order, as the order detail shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryInfo {
    pub id: i64,
    pub status: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub resend_of: Option<i64>,
    /// The road that took it to the chat: "extension" or "open_platform" (none yet: null).
    pub road: Option<String>,
    /// Shopee's id of the chat message that carried it, when the Open Platform sent it.
    pub message_id: Option<String>,
    /// The text with the items; only when the seller asks (`?reveal=true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The message in the chat-sized parts it is posted as, in order; with the message only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// How many parts the Open Platform road has seen Shopee take (a delivery cut short
    /// resumes there; the extension reads its progress from the chat itself).
    pub parts_sent: i64,
}

/// An order with its trail and deliveries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    pub trail: Vec<Event>,
    pub deliveries: Vec<DeliveryInfo>,
    /// The road the order first came by: "extension", "open_platform" or "manual" (the UI,
    /// a CSV import, a script).
    pub road: String,
}

pub(crate) fn ts(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
