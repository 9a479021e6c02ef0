//! What the seller does to one order (move it, deliver it now or by hand, send its delivery
//! again) and the answers.

use serde::{Deserialize, Serialize};

use crate::{DeliveryInfo, Order, OrderStatus};

/// `POST /orders/{id}/status`: refund, cancel, complete...
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: OrderStatus,
    #[serde(default)]
    pub reason: String,
}

/// How the seller wants a waiting order handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeliverMode {
    /// Try allocation again now (after fixing stock or a mapping).
    Retry,
    /// The seller delivered it by hand; mark it delivered.
    Manual,
}

/// `POST /orders/{id}/deliver`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliverRequest {
    /// `retry`: allocate again now; `manual`: the seller delivered it by hand.
    pub mode: DeliverMode,
    #[serde(default)]
    pub note: String,
}

/// One order: the answer of intake (one order), a status change and a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderEnvelope {
    pub order: Order,
}

/// The delivery a resend queued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryEnvelope {
    pub delivery: DeliveryInfo,
}
