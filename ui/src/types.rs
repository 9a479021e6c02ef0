//! The shapes of the engine's API answers (see `/api/v1/openapi.json`).

// Shared with the engine, which serializes them: a change on one side that the other does not
// follow does not compile.
pub use auto_api::{
    AiSettings, Amount, AppInput, ApproveRequest, AssistantStatus, AuthorizeLink, ConnectInput,
    ConversationDetail, ConversationPage, Dashboard, DeliverMode, DeliverRequest, DeliverWaiting,
    DeliveryEnvelope, DeliverySettings, DeliverySettingsChange, FaqEntry, FaqImportReport, FaqPage,
    FaqPatch, FindRequest, FindResult, ImportReport, Kind, Line, LineIssue, LlmRequest, LlmView,
    Mapping, ModelRequest, NewFaq, NewProduct, OrderDetail, OrderEnvelope, OrderItem, OrderItems,
    OrderPage, OrderStatus, PairingCode, PlainItem, Product, ProductList, ProductPatch,
    ReleaseAction, ReleaseRequest, ReplaceRequest, ReplaceResult, Reply, ReplyList, Scope,
    SearchMode, SearchRequest, SearchView, SellerReply, ShopeeApp, ShopeeShop, ShopeeShopList,
    ShopeeShopOut, StatusChange, StockCounts, StockItem, StockItemPage, SyncReport, SystemInfo,
    TokenList, WithdrawReport, WithdrawRequest,
};

/// Kinds that deliver one stock item per unit (a form's kind, as text).
pub fn is_stock_kind(kind: &str) -> bool {
    Kind::parse(kind).is_some_and(Kind::has_stock)
}
