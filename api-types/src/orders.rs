//! Orders as the seller sees them: the list, one order with its trail and deliveries, and the
//! stock items an order holds (replacing one, deciding about one held).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Buyer;

/// Where an order stands (DESIGN.md's status machine; the engine keeps the moves it allows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    #[default]
    Unpaid,
    Paid,
    Delivering,
    NeedsAttention,
    Delivered,
    Completed,
    Cancelled,
    Refunded,
    Returned,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::Unpaid,
        OrderStatus::Paid,
        OrderStatus::Delivering,
        OrderStatus::NeedsAttention,
        OrderStatus::Delivered,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
        OrderStatus::Returned,
    ];

    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Unpaid => "unpaid",
            OrderStatus::Paid => "paid",
            OrderStatus::Delivering => "delivering",
            OrderStatus::NeedsAttention => "needs_attention",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
            OrderStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An order as AUTO keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: i64,
    pub shop: String,
    pub order_sn: String,
    pub status: OrderStatus,
    /// Why the order waits for the seller: out_of_stock, unknown_sku, product_inactive, send_failed;
    /// on an unpaid order, unknown_status (Shopee's status was not one AUTO knows).
    pub attention_reason: Option<String>,
    /// The reason in English words.
    pub attention_detail: Option<String>,
    /// The reason's parameters, for the UI to word it in the seller's language.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attention_params: serde_json::Map<String, serde_json::Value>,
    pub buyer: Buyer,
    pub lines: Vec<Line>,
    pub total: f64,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// A page of orders, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderPage {
    pub orders: Vec<Order>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// One entry of an order's trail: who moved it, when, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrailEvent {
    pub at: DateTime<Utc>,
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub actor: String,
    /// The English words (older clients, logs).
    pub reason: String,
    /// What happened, for the UI to word in the seller's language (older events: null).
    pub code: Option<String>,
    /// The code's parameters (product, counts, Shopee's words...).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// A delivery of an order, as the order detail shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The message in the chat-sized parts it is posted as, in order; with the message only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// How many parts the Open Platform road has seen Shopee take (a delivery cut short
    /// resumes there; the extension reads its progress from the chat itself).
    pub parts_sent: i64,
}

/// An order with its trail and deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    pub trail: Vec<TrailEvent>,
    pub deliveries: Vec<DeliveryInfo>,
    /// The road the order first came by: "extension", "open_platform" or "manual" (the UI,
    /// a CSV import, a script).
    pub road: String,
}

/// One stock item an order holds or held: masked, never the secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderItem {
    pub id: i64,
    /// The order line it went to.
    pub line_id: i64,
    pub product_id: i64,
    pub product: String,
    /// The secret masked (`ABCD-••••-••••-WXYZ`; an account by its username): never usable.
    pub masked: String,
    /// allocated, delivered, revealed (held after the order left: the seller decides), bad.
    pub status: String,
    /// Why it was marked bad or voided.
    pub note: Option<String>,
    /// The delivery whose message carries it.
    pub delivery_id: Option<i64>,
    /// The item sent in its place.
    pub replaced_by: Option<i64>,
    /// The bad item it stands in for.
    pub replaces: Option<i64>,
    /// Marked bad, its replacement waits for stock.
    pub replacement_waiting: bool,
    pub changed_at: Option<DateTime<Utc>>,
}

/// `GET /orders/{id}/items`, and what deciding about one answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderItems {
    pub order_id: i64,
    pub items: Vec<OrderItem>,
}

/// `POST /orders/{id}/items/{item_id}/replace`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplaceRequest {
    /// Why the item is bad (shown in the order's history); 1 to 200 characters, one line.
    pub reason: String,
}

/// What replacing an item did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplaceResult {
    /// The item marked bad.
    pub replaced: i64,
    /// The fresh item sent in its place; null while the replacement waits for stock.
    pub replacement: Option<i64>,
    /// The delivery that carries it to the buyer.
    pub delivery_id: Option<i64>,
    pub waiting: bool,
    pub items: Vec<OrderItem>,
}

/// What becomes of an item held after its order left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReleaseAction {
    /// Back in the pool, to be sold again.
    Pool,
    /// Bad: never sold again.
    Void,
}

/// `POST /orders/{id}/items/{item_id}/release`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReleaseRequest {
    pub action: ReleaseAction,
    /// Why (kept with a voided item); optional.
    #[serde(default)]
    pub reason: String,
}
