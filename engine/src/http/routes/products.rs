//! Products and their stock.

use crate::catalog::{
    ImportReport, NewProduct, Product, ProductPatch, StockCounts, StockInput, StockItemInput,
};
use crate::http::error::{from_value, ApiError, ApiJson};
use crate::http::guard::Admin;
use crate::http::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProductList {
    pub products: Vec<Product>,
}

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
}

/// Imports stock: JSON `{"items":[...]}`, `text/plain` (one per line) or `text/csv`.
/// Duplicates (in the file or already in stock) and unreadable rows are reported, not imported.
#[utoipa::path(post, path = "/api/v1/products/{id}/stock", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body(content = StockItems, content_type = "application/json"),
    responses((status = 200, body = ImportReport), (status = 422, description = "not a stock product, or an unreadable file")))]
pub async fn import_stock(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
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
            StockInput::Items(from_value::<StockItems>(value)?.items)
        }
        "text/plain" => StockInput::Text(text()?),
        "text/csv" | "application/csv" => StockInput::Csv(text()?),
        _ => {
            return Err(ApiError::bad_request(
                "send stock as application/json, text/plain or text/csv",
            ))
        }
    };
    Ok(Json(app.run(move |e| e.import_stock(id, input)).await?))
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
