//! Orders: intake (single or batch), list, detail, status changes, resend, manual delivery.

use crate::delivery::{Decision, OrderItems};
use crate::engine::RejectedOrder;
use crate::http::error::{status_of, ApiError, ApiJson};
use crate::http::guard::{Admin, Extension};
use crate::http::App;
use crate::orders::{Order, OrderDetail, OrderFilter, OrderInput, OrderPage};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

/// Most orders in one batch.
const MAX_BATCH: usize = 1000;

/// Finds a batch's `orders` without parsing anything else.
#[derive(Default, Deserialize)]
struct BatchProbe<'a> {
    #[serde(borrow, default)]
    orders: Option<&'a RawValue>,
}

/// The order number of an order that failed to parse, for the error report.
#[derive(Default, Deserialize)]
struct SnProbe {
    #[serde(default)]
    order_sn: Option<String>,
}

/// One order, a status change and a delivery request, and a resend's answer (shared with the UI).
pub use auto_api::{DeliverRequest, DeliveryEnvelope, OrderEnvelope, StatusChange};

#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    pub orders: Vec<Order>,
    pub rejected: Vec<RejectedOrder>,
}

/// Reports one order, or a batch as `{"orders":[...]}`. Idempotent on (shop, order_sn): a
/// newer status moves the order forward, an older one changes nothing. A paid order is
/// allocated in the same request.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), request_body = OrderInput,
    responses((status = 200, body = OrderEnvelope, description = "one order; a batch answers BatchResult"),
              (status = 422, description = "the order is not valid")))]
pub async fn intake(
    State(app): State<App>,
    caller: Extension,
    ApiJson(body): ApiJson<Box<RawValue>>,
) -> Result<Response, ApiError> {
    let actor = caller.0.actor();
    // Orders are parsed straight from the raw body into their type, one by one, so that one
    // malformed order in a batch is reported without refusing the others.
    let probe: BatchProbe = serde_json::from_str(body.get()).unwrap_or_default();
    if let Some(list) = probe.orders {
        let list: Vec<&RawValue> = serde_json::from_str(list.get())
            .map_err(|_| ApiError::invalid("orders must be a list"))?;
        if list.len() > MAX_BATCH {
            return Err(ApiError::invalid(format!(
                "a batch has at most {MAX_BATCH} orders"
            )));
        }
        let mut inputs = Vec::with_capacity(list.len());
        let mut shape_errors = Vec::new();
        for (i, raw) in list.into_iter().enumerate() {
            match serde_json::from_str::<OrderInput>(raw.get()) {
                Ok(o) => inputs.push((i, o)),
                Err(e) => {
                    let sn: SnProbe = serde_json::from_str(raw.get()).unwrap_or_default();
                    shape_errors.push(RejectedOrder {
                        index: i,
                        order_sn: sn.order_sn.unwrap_or_default().chars().take(64).collect(),
                        error: crate::error::ErrorBody {
                            code: "invalid_input".into(),
                            message: format!("the order does not have the expected shape: {e}"),
                        },
                    })
                }
            }
        }
        let (indexes, inputs): (Vec<usize>, Vec<OrderInput>) = inputs.into_iter().unzip();
        let (orders, mut rejected) = app.run(move |e| e.intake(inputs, actor)).await?;
        for r in &mut rejected {
            r.index = indexes[r.index];
        }
        rejected.extend(shape_errors);
        rejected.sort_by_key(|r| r.index);
        return Ok(Json(BatchResult { orders, rejected }).into_response());
    }
    let input: OrderInput = serde_json::from_str(body.get()).map_err(|e| {
        ApiError::invalid(format!("the body does not have the expected shape: {e}"))
    })?;
    let (mut orders, rejected) = app.run(move |e| e.intake(vec![input], actor)).await?;
    if let Some(r) = rejected.into_iter().next() {
        let code = match r.error.code.as_str() {
            "invalid_input" => "invalid_input",
            "conflict" => "conflict",
            "not_found" => "not_found",
            _ => "internal",
        };
        return Err(ApiError::new(status_of(code), code, r.error.message));
    }
    let order = orders
        .pop()
        .ok_or_else(|| ApiError::invalid("no order in the body"))?;
    Ok(Json(OrderEnvelope { order }).into_response())
}

/// Orders, newest first, filtered and paged.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), params(OrderFilter),
    responses((status = 200, body = OrderPage)))]
pub async fn list(
    State(app): State<App>,
    _: Admin,
    filter: Result<Query<OrderFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<OrderPage>, ApiError> {
    let Query(filter) = filter?;
    Ok(Json(app.run(move |e| e.list_orders(&filter)).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Reveal {
    /// Include the delivery texts (with the keys).
    #[serde(default)]
    pub reveal: bool,
}

/// One order with its trail and deliveries.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path), Reveal), responses((status = 200, body = OrderDetail), (status = 404)))]
pub async fn get_one(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    reveal: Result<Query<Reveal>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<OrderDetail>, ApiError> {
    let Query(Reveal { reveal }) = reveal?;
    Ok(Json(app.run(move |e| e.order_detail(id, reveal)).await?))
}

/// Moves an order (refund, cancel, complete...); an illegal move is a 409.
#[utoipa::path(post, path = "/api/v1/orders/{id}/status", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = StatusChange,
    responses((status = 200, body = OrderEnvelope), (status = 409, description = "the move is not allowed")))]
pub async fn set_status(
    State(app): State<App>,
    caller: Admin,
    Path(id): Path<i64>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<OrderEnvelope>, ApiError> {
    let actor = caller.0.actor();
    let order = app
        .run(move |e| e.set_status(id, change.status, &change.reason, actor))
        .await?;
    Ok(Json(OrderEnvelope { order }))
}

/// Queues the order's delivery message again (the same items).
#[utoipa::path(post, path = "/api/v1/orders/{id}/resend", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = DeliveryEnvelope), (status = 409)))]
pub async fn resend(
    State(app): State<App>,
    caller: Admin,
    Path(id): Path<i64>,
) -> Result<Json<DeliveryEnvelope>, ApiError> {
    let actor = caller.0.actor();
    let delivery = app.run(move |e| e.resend(id, actor)).await?;
    Ok(Json(DeliveryEnvelope { delivery }))
}

/// Delivers a waiting order now, or marks it delivered by hand.
#[utoipa::path(post, path = "/api/v1/orders/{id}/deliver", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DeliverRequest, responses((status = 200, body = OrderEnvelope)))]
pub async fn deliver(
    State(app): State<App>,
    caller: Admin,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<DeliverRequest>,
) -> Result<Json<OrderEnvelope>, ApiError> {
    let actor = caller.0.actor();
    let order = app
        .run(move |e| e.deliver(id, req.mode, &req.note, actor))
        .await?;
    Ok(Json(OrderEnvelope { order }))
}

// ---- after the sale: an order's items, replacing one, deciding about one held ----

/// The stock items an order holds or held, masked, with status and replacements.
#[utoipa::path(get, path = "/api/v1/orders/{id}/items", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = OrderItems), (status = 404)))]
pub async fn items(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<Json<OrderItems>, ApiError> {
    Ok(Json(app.run(move |e| e.order_items(id)).await?))
}

/// Replacing an item and deciding about one held: requests and answer (shared with the UI).
pub use auto_api::{ReleaseAction, ReleaseRequest, ReplaceRequest, ReplaceResult};

/// Marks a delivered (or allocated) item of the order bad and sends the buyer a fresh one as
/// a replacement message; with no stock the replacement waits for the next import. The same
/// request again is a 409: the item is bad already.
#[utoipa::path(post, path = "/api/v1/orders/{id}/items/{item_id}/replace", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path), ("item_id" = i64, Path)), request_body = ReplaceRequest,
    responses((status = 200, body = ReplaceResult), (status = 404, description = "no such item on this order"),
              (status = 409, description = "the item cannot be replaced now (bad already, held, being sent)"),
              (status = 422, description = "the reason is missing or not valid")))]
pub async fn replace_item(
    State(app): State<App>,
    caller: Admin,
    Path((id, item_id)): Path<(i64, i64)>,
    ApiJson(req): ApiJson<ReplaceRequest>,
) -> Result<Json<ReplaceResult>, ApiError> {
    let actor = caller.0.actor();
    let (r, items) = app
        .run(move |e| e.replace_item(id, item_id, &req.reason, actor))
        .await?;
    Ok(Json(ReplaceResult {
        replaced: item_id,
        replacement: r.replacement,
        delivery_id: r.delivery_id,
        waiting: r.replacement.is_none(),
        items: items.items,
    }))
}

/// Decides about an item held after its order was cancelled, refunded or returned: back to
/// the pool, or void.
#[utoipa::path(post, path = "/api/v1/orders/{id}/items/{item_id}/release", tag = "orders", security(("bearer" = [])),
    params(("id" = i64, Path), ("item_id" = i64, Path)), request_body = ReleaseRequest,
    responses((status = 200, body = OrderItems), (status = 404), (status = 409, description = "the item is not held")))]
pub async fn release_item(
    State(app): State<App>,
    caller: Admin,
    Path((id, item_id)): Path<(i64, i64)>,
    ApiJson(req): ApiJson<ReleaseRequest>,
) -> Result<Json<OrderItems>, ApiError> {
    let actor = caller.0.actor();
    let decision = match req.action {
        ReleaseAction::Pool => Decision::Pool,
        ReleaseAction::Void => Decision::Void,
    };
    Ok(Json(
        app.run(move |e| e.decide_item(id, item_id, decision, &req.reason, actor))
            .await?,
    ))
}
