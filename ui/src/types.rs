//! The shapes of the engine's API answers (see `/api/v1/openapi.json`).

use serde::{Deserialize, Serialize};

// Shared with the engine, which serializes them: a change on one side that the other does not
// follow does not compile.
pub use auto_api::{
    AiSettings, AppInput, ApproveRequest, AssistantStatus, AuthorizeLink, Buyer,
    ConversationDetail, ConversationPage, ExtensionHealth, FaqEntry, FaqImportReport, FaqPage,
    FaqPatch, LineIssue, LlmRequest, LlmView, ModelRequest, NewFaq, PairingCode, Reply, ReplyList,
    Scope, SearchMode, SearchRequest, SearchView, SellerReply, ShopeeApp, ShopeeShop,
    ShopeeShopList, ShopeeShopOut, SyncReport, SystemInfo, TokenList,
};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mapping {
    pub shop: Option<String>,
    pub item_id: Option<i64>,
    pub model_id: Option<i64>,
    pub sku: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct StockCounts {
    pub available: i64,
    /// Went to orders (allocated, delivered, or revealed to a cancelled one).
    pub allocated: i64,
    /// Every item ever imported.
    pub total: i64,
    pub low_stock: bool,
    /// When a sale took it to or below the threshold.
    pub low_stock_since: Option<String>,
    pub waiting_orders: i64,
    pub by_status: StatusCounts,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct StatusCounts {
    pub available: i64,
    pub allocated: i64,
    pub delivered: i64,
    pub revealed: i64,
    pub bad: i64,
    pub withdrawn: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub sku: String,
    pub kind: String,
    pub price: f64,
    pub currency: String,
    pub template: String,
    pub content: String,
    pub instructions: String,
    pub language: String,
    pub active: bool,
    pub low_stock_threshold: i64,
    pub mappings: Vec<Mapping>,
    pub stock: StockCounts,
}

impl Product {
    /// Whether the product delivers items from a stock pool.
    pub fn has_stock(&self) -> bool {
        is_stock_kind(&self.kind)
    }
}

/// Kinds that deliver one stock item per unit.
pub fn is_stock_kind(kind: &str) -> bool {
    matches!(kind, "license_key" | "voucher" | "account")
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ProductList {
    pub products: Vec<Product>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ImportReport {
    pub imported: u64,
    pub duplicates: Vec<LineIssue>,
    pub rejected: Vec<LineIssue>,
    pub available: i64,
    pub batch: String,
    /// Waiting orders the import delivered by itself.
    pub waiting_delivered: u64,
    pub still_waiting: i64,
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

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Amount {
    pub currency: String,
    pub amount: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct DayStats {
    pub date: String,
    pub orders: i64,
    pub delivered: i64,
    pub revenue: Vec<Amount>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct StockWarning {
    pub product_id: i64,
    pub name: String,
    pub available: i64,
    pub threshold: i64,
    /// When a sale took it to or below the threshold.
    pub low_since: Option<String>,
    /// Paid orders waiting for its stock.
    pub waiting: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AnswerStats {
    pub total: i64,
    pub faq: i64,
    pub llm: i64,
    pub waiting: i64,
    pub auto_rate: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Dashboard {
    pub days: Vec<DayStats>,
    pub today: DayStats,
    pub pending_deliveries: i64,
    pub needs_attention: i64,
    pub stock_warnings: Vec<StockWarning>,
    pub answers: AnswerStats,
    /// Unpaid orders reported with a status AUTO does not know.
    pub unknown_status: i64,
    /// The extension's last report on pages it could not read (engine: extension_health).
    pub extension: Option<ExtensionHealth>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliverySettings {
    pub paused: bool,
    /// The most characters one chat message of a delivery holds; longer ones go in parts.
    pub chat_limit: usize,
}

/// The order a stock item went to.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct OrderRef {
    pub id: i64,
    pub order_sn: String,
    pub shop: String,
    pub status: String,
}

/// A stock item as lists show it: masked, never the secret.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct StockItem {
    pub id: i64,
    pub masked: String,
    pub status: String,
    pub batch: String,
    pub imported_at: String,
    pub changed_at: Option<String>,
    pub note: Option<String>,
    pub order: Option<OrderRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct StockItemPage {
    pub items: Vec<StockItem>,
    pub total: i64,
    pub next_after: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FoundItem {
    pub product_id: i64,
    pub product_name: String,
    pub product_sku: String,
    pub item: StockItem,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FindResult {
    pub found: Vec<FoundItem>,
}

/// A withdrawn item in plain, for the seller's own file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PlainItem {
    pub id: i64,
    pub code: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct WithdrawReport {
    pub withdrawn: u64,
    pub items: Vec<PlainItem>,
    pub available: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct DeliverWaiting {
    pub delivering: u64,
}
