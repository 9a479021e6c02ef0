//! The dashboard's figures and the delivery settings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ExtensionHealth;

/// A sum in one currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Amount {
    pub currency: String,
    pub amount: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayStats {
    /// The local date, YYYY-MM-DD.
    pub date: String,
    /// Orders paid that day (still sold: not cancelled or refunded).
    pub orders: i64,
    /// Deliveries confirmed in the buyer's chat that day.
    pub delivered: i64,
    /// Revenue of those orders, one entry per currency.
    pub revenue: Vec<Amount>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockWarning {
    pub product_id: i64,
    pub name: String,
    pub available: i64,
    pub threshold: i64,
    /// When a sale took it to or below the threshold (the low-stock notice; null when it
    /// never crossed downwards, e.g. a new product with no stock yet).
    pub low_since: Option<DateTime<Utc>>,
    /// Paid orders waiting for this product's stock.
    pub waiting: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerStats {
    /// Buyer messages in the period.
    pub total: i64,
    /// Answered automatically from the FAQ.
    pub faq: i64,
    /// Answered automatically by the language model.
    pub llm: i64,
    /// Drafts waiting for the seller's approval.
    pub drafts: i64,
    /// Questions waiting for the seller.
    pub waiting: i64,
    /// (faq + llm) / total, 0 when there were none.
    pub auto_rate: f64,
}

/// `GET /stats/dashboard`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    /// One entry per day, oldest first; the last one is today.
    pub days: Vec<DayStats>,
    pub today: DayStats,
    pub pending_deliveries: i64,
    pub needs_attention: i64,
    pub stock_warnings: Vec<StockWarning>,
    pub answers: AnswerStats,
    /// Unpaid orders Shopee reported with a status AUTO does not know (kept, not delivered).
    pub unknown_status: i64,
    /// The browser extension's last report on its reading of Seller Centre; the UI warns while
    /// `unreadable` is above zero.
    pub extension: Option<ExtensionHealth>,
}

/// `GET /settings/delivery`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliverySettings {
    /// While true, deliveries wait in the outbox and the extension is handed none.
    pub paused: bool,
    /// The most characters (UTF-16 units) one chat message of a delivery holds; a longer
    /// delivery is sent in parts, cut between items and lines. Default 600, Shopee chat's.
    pub chat_limit: u64,
}

/// `PUT /settings/delivery`: one field or both; one left out stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliverySettingsChange {
    #[serde(
        default,
        deserialize_with = "given",
        skip_serializing_if = "Option::is_none"
    )]
    pub paused: Option<bool>,
    /// 100 to 5000; not below an item in stock (it would not fit in one message).
    #[serde(
        default,
        deserialize_with = "given",
        skip_serializing_if = "Option::is_none"
    )]
    pub chat_limit: Option<i64>,
}

/// A field that may be left out but is never null (null is no setting).
fn given<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}
