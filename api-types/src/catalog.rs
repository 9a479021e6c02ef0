//! Products, their Shopee mapping and their stock: counts, imports, item lists, the search by
//! code, withdrawals.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::LineIssue;

/// How a product reaches the buyer (DESIGN.md, "Products and delivery kinds").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    LicenseKey,
    Voucher,
    Account,
    Link,
    File,
    Text,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::LicenseKey,
        Kind::Voucher,
        Kind::Account,
        Kind::Link,
        Kind::File,
        Kind::Text,
    ];

    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::LicenseKey => "license_key",
            Kind::Voucher => "voucher",
            Kind::Account => "account",
            Kind::Link => "link",
            Kind::File => "file",
            Kind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Kinds that deliver one unique stock item per unit sold.
    pub fn has_stock(self) -> bool {
        matches!(self, Kind::LicenseKey | Kind::Voucher | Kind::Account)
    }
}

/// One Shopee mapping: a listing (shop + item id, optionally model id) or a seller SKU.
/// A missing shop matches every shop.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub shop: Option<String>,
    #[serde(default)]
    pub item_id: Option<i64>,
    #[serde(default)]
    pub model_id: Option<i64>,
    #[serde(default)]
    pub sku: Option<String>,
}

/// Stock counts of one product; never the secrets themselves.
///
/// `total` is every item ever imported into the product, whatever became of it (the statuses
/// in `by_status` add up to it); `allocated` is what went to orders and stays theirs
/// (allocated, delivered, or revealed to an order that was then cancelled).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockCounts {
    pub available: i64,
    pub allocated: i64,
    pub total: i64,
    /// True when a stock product is at or below its low-stock threshold.
    pub low_stock: bool,
    /// When a sale took the available count to or below the threshold (said once); null
    /// since an import brought it back above, or when it never went down.
    pub low_stock_since: Option<DateTime<Utc>>,
    /// Paid orders waiting because this product ran out.
    pub waiting_orders: i64,
    pub by_status: StatusCounts,
}

/// Items of a product per status (an item's whole life).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCounts {
    pub available: i64,
    pub allocated: i64,
    pub delivered: i64,
    pub revealed: i64,
    pub bad: i64,
    pub withdrawn: i64,
}

/// A product as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub sku: String,
    pub kind: Kind,
    pub price: f64,
    pub currency: String,
    pub template: String,
    /// The link, file reference or text that non-stock kinds deliver.
    pub content: String,
    pub instructions: String,
    pub language: String,
    pub active: bool,
    pub low_stock_threshold: i64,
    pub mappings: Vec<Mapping>,
    pub stock: StockCounts,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Product {
    /// Whether the product delivers items from a stock pool.
    pub fn has_stock(&self) -> bool {
        self.kind.has_stock()
    }
}

/// `GET /products`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductList {
    pub products: Vec<Product>,
}

/// What a stock import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub imported: u64,
    /// `reason` is `in_file` (seen earlier in the same import), `in_stock` (imported before)
    /// or `withdrawn` (imported before and withdrawn by the seller). A withdrawn item stays
    /// out on purpose: the seller was handed it to use elsewhere, so selling it again could
    /// sell one code twice.
    pub duplicates: Vec<LineIssue>,
    pub rejected: Vec<LineIssue>,
    pub available: i64,
    /// The batch label the imported items carry ("" for none).
    pub batch: String,
    /// Orders that waited (for stock, a product or a mapping) and are being delivered now.
    pub waiting_delivered: u64,
    /// Orders still waiting for this product's stock after the import.
    pub still_waiting: i64,
}

/// The order a stock item went to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRef {
    pub id: i64,
    pub order_sn: String,
    pub shop: String,
    pub status: String,
}

/// One stock item as a list shows it: never the secret itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockItem {
    pub id: i64,
    /// The code with its middle hidden (`ABCD-••••-••••-WXYZ`); for an account, its username
    /// so hidden.
    pub masked: String,
    /// available, allocated, delivered, revealed, bad or withdrawn.
    pub status: String,
    /// The label given at import ("" for none).
    pub batch: String,
    pub imported_at: DateTime<Utc>,
    /// When it last changed status.
    pub changed_at: Option<DateTime<Utc>>,
    /// Why the seller marked it bad, if they did.
    pub note: Option<String>,
    /// The order it went to (kept after a cancellation: "which order got this key").
    pub order: Option<OrderRef>,
}

/// A page of stock items, oldest import first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockItemPage {
    pub items: Vec<StockItem>,
    /// Items matching the filters, on all pages.
    pub total: i64,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<i64>,
    pub limit: i64,
    /// The page number, when paging by number.
    pub page: Option<i64>,
}

/// A stock item found by its code, with its product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FoundItem {
    pub product_id: i64,
    pub product_name: String,
    pub product_sku: String,
    /// The item, masked; `order` says which order got it.
    pub item: StockItem,
}

/// `POST /stock/find`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindResult {
    pub found: Vec<FoundItem>,
}

/// A stock item in plain, as exported to its seller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlainItem {
    pub id: i64,
    /// The code (codes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The account (accounts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub batch: String,
    pub imported_at: DateTime<Utc>,
}

/// What a withdrawal did: the items, in plain, for the seller to keep.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawReport {
    pub withdrawn: u64,
    pub items: Vec<PlainItem>,
    /// Items left in the pool.
    pub available: i64,
}

/// `POST /stock/deliver-waiting`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliverWaiting {
    /// Waiting orders now being delivered.
    pub delivering: u64,
}
