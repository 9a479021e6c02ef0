//! Requests about a product's stock items: withdrawing unsold ones, finding one by its code.

use serde::{Deserialize, Serialize};

/// `POST /products/{id}/stock/withdraw`: which unsold items to withdraw, by id, or by batch
/// and/or count (the newest first, so the pool keeps selling oldest first); not both ways.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
}

/// `POST /stock/find`: the code travels in the body, never the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FindRequest {
    /// The exact code (or an account's username), as the buyer or the seller has it.
    pub code: String,
    /// Search one product only; all stock products when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
}
