//! The Shopee Open Platform road: the seller's app, connected shops, and what a sync did.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The seller's Open Platform app as the API shows it: never the key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopeeApp {
    pub configured: bool,
    pub partner_id: Option<u64>,
    pub base_url: Option<String>,
}

/// `PUT /shopee/app`: the app's credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppInput {
    /// The app's partner id (Open Platform console → App List).
    pub partner_id: i64,
    /// The app's partner key; stored encrypted and never shown again.
    pub partner_key: String,
    /// "live", "test", or an http(s) base URL (a local server).
    pub base_url: String,
}

/// `GET /shopee/authorize`: the link that authorizes a shop for the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizeLink {
    pub url: String,
}

/// `POST /shopee/shops`: connect a shop with the code and shop id Shopee gave, or with the
/// whole address the seller landed on after authorizing (what the UI sends: a seller copies the
/// address bar, not two fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, untagged)]
pub enum ConnectInput {
    /// The code and shop id Shopee gave; the id as a number or as the string Shopee's
    /// redirect carries.
    Code {
        code: String,
        #[cfg_attr(feature = "openapi", schema(value_type = u64))]
        shop_id: serde_json::Value,
    },
    /// The whole address the seller landed on after authorizing.
    Url { url: String },
}

/// The first pull of a connected shop's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FirstSync {
    pub done: i64,
    pub total: Option<i64>,
    pub finished: bool,
}

/// What AUTO remembers of a connected shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopeeShop {
    pub shop_id: u64,
    pub name: Option<String>,
    pub connected_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
    /// The refresh token ends within a week: the seller should authorize the shop again.
    pub reauthorize_soon: bool,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub orders_pulled: i64,
    pub last_error: Option<String>,
    /// The first pull of the shop's history, while it runs (and once done).
    pub first_sync: FirstSync,
}

/// `GET /shopee/shops`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopeeShopList {
    pub shops: Vec<ShopeeShop>,
}

/// `POST /shopee/shops`: the shop just connected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopeeShopOut {
    pub shop: ShopeeShop,
}

/// What one sync did for a shop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopSync {
    pub shop_id: u64,
    pub orders_seen: u64,
    pub orders_new: u64,
    pub orders_rejected: u64,
    pub deliveries_sent: u64,
    pub replies_sent: u64,
    pub refused: u64,
    /// Sends that got no answer earlier, settled against the chat.
    pub settled: u64,
    pub messages: u64,
    /// Calls made to Shopee.
    pub calls: u64,
    pub error: Option<String>,
}

/// `POST /shopee/sync`: what the sync did, shop by shop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncReport {
    pub shops: Vec<ShopSync>,
}
