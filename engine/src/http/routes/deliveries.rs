//! The delivery outbox the extension drains.

use crate::delivery::{DeliveryFilter, PendingDelivery};
use crate::http::error::ApiError;
use crate::http::guard::Extension;
use crate::http::App;
use crate::orders::{DeliveryInfo, Order};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    pub deliveries: Vec<PendingDelivery>,
}

/// Pending deliveries to post in Shopee chat. Each is leased: it is offered again only if it
/// is not confirmed within the offer timeout.
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "deliveries", security(("bearer" = [])), params(DeliveryFilter),
    responses((status = 200, body = DeliveryList)))]
pub async fn list(
    State(app): State<App>,
    _: Extension,
    filter: Result<Query<DeliveryFilter>, QueryRejection>,
) -> Result<Json<DeliveryList>, ApiError> {
    let Query(filter) = filter?;
    let deliveries = app.run(move |e| e.fetch_deliveries(&filter)).await?;
    Ok(Json(DeliveryList { deliveries }))
}

#[derive(Serialize, ToSchema)]
pub struct Confirmed {
    pub delivery: DeliveryInfo,
    pub order: Order,
}

/// Confirms a delivery was posted; repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/confirm", tag = "deliveries", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Confirmed), (status = 404)))]
pub async fn confirm(
    State(app): State<App>,
    caller: Extension,
    Path(id): Path<i64>,
) -> Result<Json<Confirmed>, ApiError> {
    let actor = caller.0.actor();
    let (delivery, order) = app.run(move |e| e.confirm_delivery(id, actor)).await?;
    Ok(Json(Confirmed { delivery, order }))
}
