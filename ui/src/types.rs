//! The shapes of the engine's API answers (see `/api/v1/openapi.json`).

use serde::Deserialize;

// Shared with the engine, which serializes them: a change on one side that the other does not
// follow does not compile.
pub use auto_api::{
    AiSettings, Amount, AppInput, ApproveRequest, AssistantStatus, AuthorizeLink, Buyer,
    ConversationDetail, ConversationPage, Dashboard, DeliverWaiting, DeliverySettings,
    DeliverySettingsChange, FaqEntry, FaqImportReport, FaqPage, FaqPatch, FindResult, ImportReport,
    Kind, LineIssue, LlmRequest, LlmView, Mapping, ModelRequest, NewFaq, PairingCode, PlainItem,
    Product, ProductList, Reply, ReplyList, Scope, SearchMode, SearchRequest, SearchView,
    SellerReply, ShopeeApp, ShopeeShop, ShopeeShopList, ShopeeShopOut, StockCounts, StockItem,
    StockItemPage, SyncReport, SystemInfo, TokenList, WithdrawReport,
};

/// Kinds that deliver one stock item per unit (a form's kind, as text).
pub fn is_stock_kind(kind: &str) -> bool {
    Kind::parse(kind).is_some_and(Kind::has_stock)
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Line {
    pub id: i64,
    /// Empty when the line came with its Shopee item/model only.
    pub sku: String,
    pub item_id: Option<i64>,
    pub model_id: Option<i64>,
    pub product_id: Option<i64>,
    /// The product's name (none when no product matches the line).
    pub product_name: Option<String>,
    /// "listing" (matched by the Shopee item/model) or "sku"; none when nothing matched.
    pub matched_by: Option<String>,
    pub quantity: i64,
    pub unit_price: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Order {
    pub id: i64,
    pub shop: String,
    pub order_sn: String,
    pub status: String,
    pub buyer: Buyer,
    pub lines: Vec<Line>,
    pub total: f64,
    pub currency: String,
    pub attention_reason: Option<String>,
    pub attention_detail: Option<String>,
    /// The reason's parameters, worded with it (trail_words).
    pub attention_params: serde_json::Map<String, serde_json::Value>,
    pub created_at: String,
    pub paid_at: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct OrderPage {
    pub orders: Vec<Order>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TrailEvent {
    pub at: String,
    pub from: Option<String>,
    pub to: String,
    pub actor: String,
    /// The engine's English words, shown when `code` is none or one this UI does not know.
    pub reason: String,
    pub code: Option<String>,
    pub params: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct DeliveryInfo {
    pub id: i64,
    pub status: String,
    pub attempts: i64,
    pub created_at: String,
    pub confirmed_at: Option<String>,
    pub resend_of: Option<i64>,
    /// The road that took it to the chat: "extension" or "open_platform" (not sent yet: none).
    pub road: Option<String>,
    /// Shopee's id of the chat message that carried it (Open Platform sends).
    pub message_id: Option<String>,
    /// Only present when the seller asked to reveal it.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    #[serde(default)]
    pub trail: Vec<TrailEvent>,
    #[serde(default)]
    pub deliveries: Vec<DeliveryInfo>,
    /// The road the order first came by: "extension", "open_platform" or "manual".
    #[serde(default)]
    pub road: String,
}
