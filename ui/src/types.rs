//! The shapes of the engine's API answers (see `/api/v1/openapi.json`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Buyer {
    pub user_id: Option<i64>,
    pub username: String,
}

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
pub struct LineIssue {
    pub line: u64,
    pub reason: String,
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
pub struct FaqEntry {
    pub id: i64,
    pub question: String,
    pub variants: Vec<String>,
    pub answer: String,
    pub product_id: Option<i64>,
    pub language: String,
    /// The answer in other languages, by language code.
    pub translations: std::collections::BTreeMap<String, String>,
    pub tags: Vec<String>,
    pub enabled: bool,
    pub hits: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FaqPage {
    pub entries: Vec<FaqEntry>,
    pub total: i64,
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FaqImportReport {
    pub created: u64,
    pub duplicates: Vec<LineIssue>,
    pub rejected: Vec<LineIssue>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SearchHit {
    pub faq_id: i64,
    pub question: String,
    pub answer: String,
    pub score: f64,
    pub cosine: f64,
    pub fulltext_rank: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SearchView {
    pub hits: Vec<SearchHit>,
    pub confidence: f64,
    pub threshold: f64,
    pub would_answer: bool,
    pub mode: String,
    pub micros: u64,
    pub language: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct KnowledgeStatus {
    pub mode: String,
    pub model: String,
    pub model_error: Option<String>,
    /// False while the model rests (let go after a quiet spell; the next question loads it).
    pub model_loaded: bool,
    pub variants: u64,
    pub indexed: u64,
    pub indexing: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ModelChoice {
    pub name: String,
    pub about: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct LlmView {
    pub configured: bool,
    pub base_url: String,
    pub model: String,
    pub timeout_secs: u64,
    pub api_key_set: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AssistantStatus {
    pub search: KnowledgeStatus,
    pub llm: LlmView,
    pub models: Vec<ModelChoice>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AiSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_reply: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm_auto_send: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ConversationSummary {
    pub id: i64,
    pub shop: String,
    pub conversation_id: String,
    pub buyer: Buyer,
    pub last_message: Option<String>,
    pub last_message_at: String,
    pub open_questions: i64,
    pub drafts: i64,
    pub order_sn: Option<String>,
    pub product_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ConversationPage {
    pub conversations: Vec<ConversationSummary>,
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Message {
    pub id: i64,
    pub direction: String,
    pub text: String,
    pub language: String,
    pub source: String,
    pub state: String,
    pub note: String,
    pub score: Option<f64>,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Reply {
    pub id: i64,
    pub conversation: i64,
    pub shop: String,
    pub conversation_id: String,
    pub buyer: Buyer,
    pub text: String,
    pub source: String,
    pub status: String,
    pub message_id: Option<i64>,
    pub score: Option<f64>,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ReplyList {
    pub replies: Vec<Reply>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub summary: ConversationSummary,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub replies: Vec<Reply>,
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

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ExtensionHealth {
    pub unreadable: i64,
    pub last_path: Option<String>,
    pub last_reason: Option<String>,
    pub reported_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SystemInfo {
    pub version: String,
    pub data_dir: String,
    pub port: u16,
    pub first_run: bool,
    pub products: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PairingCode {
    pub code: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TokenInfo {
    pub id: i64,
    pub scope: String,
    pub label: String,
    pub origin: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// A browser or desktop-window sign-in session, not a connected app.
    pub session: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliverySettings {
    pub paused: bool,
    /// The most characters one chat message of a delivery holds; longer ones go in parts.
    pub chat_limit: usize,
}

/// The seller's Shopee Open Platform app as the engine shows it: never the key.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ShopeeApp {
    pub configured: bool,
    pub partner_id: Option<u64>,
    pub base_url: Option<String>,
}

/// The first pull of a connected shop's history.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FirstSync {
    pub done: i64,
    pub total: Option<i64>,
    pub finished: bool,
}

/// A shop connected through the Open Platform.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ShopeeShop {
    pub shop_id: u64,
    pub name: Option<String>,
    pub connected_at: String,
    pub access_expires_at: String,
    pub refresh_expires_at: String,
    /// The authorization ends within a week: the seller should authorize the shop again.
    pub reauthorize_soon: bool,
    pub last_sync_at: Option<String>,
    pub orders_pulled: i64,
    pub last_error: Option<String>,
    pub first_sync: FirstSync,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ShopeeShopList {
    pub shops: Vec<ShopeeShop>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ShopeeShopOut {
    pub shop: ShopeeShop,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AuthorizeLink {
    pub url: String,
}

/// What one sync did for a shop.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ShopSync {
    pub shop_id: u64,
    pub orders_seen: u64,
    pub orders_new: u64,
    pub orders_rejected: u64,
    pub deliveries_sent: u64,
    pub replies_sent: u64,
    pub refused: u64,
    pub settled: u64,
    pub messages: u64,
    pub calls: u64,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SyncReport {
    pub shops: Vec<ShopSync>,
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
