//! Products and their stock.

use crate::catalog::{
    batch_label, ImportReport, NewProduct, Product, ProductPatch, StockCounts, StockInput,
    StockItemInput,
};
use crate::http::error::{from_value, ApiError, ApiJson};
use crate::http::guard::Admin;
use crate::http::App;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub use auto_api::ProductList;

/// Every product with its stock counts.
#[utoipa::path(get, path = "/api/v1/products", tag = "products", security(("bearer" = [])),
    responses((status = 200, body = ProductList)))]
pub async fn list(State(app): State<App>, _: Admin) -> Result<Json<ProductList>, ApiError> {
    let products = app.run(|e| e.list_products()).await?;
    Ok(Json(ProductList { products }))
}

/// Creates a product.
#[utoipa::path(post, path = "/api/v1/products", tag = "products", security(("bearer" = [])), request_body = NewProduct,
    responses((status = 201, body = Product), (status = 409, description = "the sku or a mapping is taken"),
              (status = 422, description = "a field is not valid")))]
pub async fn create(
    State(app): State<App>,
    _: Admin,
    ApiJson(new): ApiJson<NewProduct>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let product = app.run(move |e| e.create_product(new)).await?;
    Ok((StatusCode::CREATED, Json(product)))
}

/// One product.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Product), (status = 404)))]
pub async fn get_one(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(app.run(move |e| e.get_product(id)).await?))
}

/// Changes some fields of a product; orders waiting for it are retried.
#[utoipa::path(patch, path = "/api/v1/products/{id}", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ProductPatch, responses((status = 200, body = Product)))]
pub async fn patch(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<ProductPatch>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(app.run(move |e| e.update_product(id, patch)).await?))
}

/// Deletes a product that has no orders (with its unsold stock).
#[utoipa::path(delete, path = "/api/v1/products/{id}", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 409, description = "the product has orders")))]
pub async fn delete(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    app.run(move |e| e.delete_product(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockItems {
    /// Codes as strings; accounts as {username, password, notes} (or "user:password").
    pub items: Vec<StockItemInput>,
    /// A label the imported items carry (a supplier, an invoice): at most 64 characters.
    #[serde(default)]
    pub batch: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// The batch label for a text or CSV body (a JSON body may carry `batch` instead).
    pub batch: Option<String>,
}

/// Imports stock: JSON `{"items":[...], "batch": "..."}`, `text/plain` (one per line) or
/// `text/csv` (batch label as `?batch=`). Duplicates (in the file, already in stock, or
/// withdrawn before: reason `withdrawn`, kept out so a code handed back is never sold twice)
/// and unreadable rows are reported, not imported. Orders waiting for stock are delivered in
/// the same step (`waiting_delivered`).
#[utoipa::path(post, path = "/api/v1/products/{id}/stock", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path), ImportQuery), request_body(content = StockItems, content_type = "application/json"),
    responses((status = 200, body = ImportReport), (status = 400, description = "a bad batch label or body"),
              (status = 422, description = "not a stock product, or an unreadable file")))]
pub async fn import_stock(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let Query(query) = query?;
    let mut batch = query.batch;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let text = || {
        String::from_utf8(body.to_vec()).map_err(|_| {
            ApiError::invalid("the file is not UTF-8 text; save it as UTF-8 and try again")
        })
    };
    let input = match mime.as_str() {
        "application/json" => {
            let value: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
            let parsed = from_value::<StockItems>(value)?;
            if let Some(b) = parsed.batch {
                if batch.as_ref().is_some_and(|q| q.trim() != b.trim()) {
                    return Err(ApiError::bad_request(
                        "the batch label is given twice, differently (query and body)",
                    ));
                }
                batch = Some(b);
            }
            StockInput::Items(parsed.items)
        }
        "text/plain" => StockInput::Text(text()?),
        "text/csv" | "application/csv" => StockInput::Csv(text()?),
        _ => {
            return Err(ApiError::bad_request(
                "send stock as application/json, text/plain or text/csv",
            ))
        }
    };
    let batch = batch_label(batch.as_deref().unwrap_or("")).map_err(ApiError::bad_request)?;
    Ok(Json(
        app.run(move |e| e.import_stock_batch(id, input, &batch))
            .await?,
    ))
}

/// Stock counts of a product (never the items).
#[utoipa::path(get, path = "/api/v1/products/{id}/stock", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = StockCounts)))]
pub async fn stock(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<Json<StockCounts>, ApiError> {
    Ok(Json(app.run(move |e| e.stock_counts(id)).await?))
}
