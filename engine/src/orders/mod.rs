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
pub use status::{parse_reported, Machine, Status};
pub use trail::{record_event, record_event_in, set_attention, transition};

use chrono::{DateTime, Utc};
use serde::Deserialize;
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
    /// When Shopee last changed the order, by Shopee's clock (Open Platform's `update_time`, or
    /// a page that shows it). A report no newer than the Shopee report that cancelled the order
    /// is old news and cannot reopen it. Optional: older clients do not send it.
    #[serde(default)]
    #[schema(example = "2026-12-06T10:15:00Z")]
    pub shopee_updated_at: Option<DateTime<Utc>>,
    /// When the source read the page this report comes from (the extension's clock), not a
    /// time of Shopee's: a report waiting in the extension's queue keeps the time it was read.
    /// Used like `shopee_updated_at` when that is absent. Optional: older clients do not send it.
    #[serde(default)]
    #[schema(example = "2026-12-06T10:16:30Z")]
    pub seen_at: Option<DateTime<Utc>>,
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

/// An order, its lines, its trail, its deliveries, as the API shows them (shared with the UI).
pub use auto_api::{DeliveryInfo, Line, Order, OrderDetail, TrailEvent as Event};

pub(crate) fn ts(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
