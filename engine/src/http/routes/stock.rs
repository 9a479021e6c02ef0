//! Stock you can see: a product's items (masked) page by page, finding an item by its exact
//! code, withdrawing and exporting unsold items, and delivering the orders that wait for
//! stock. Admin only. Plain codes travel only in response bodies (never in a URL or the log),
//! marked `no-store`.

use crate::catalog::{ExportFormat, ItemQuery, StockItemPage, WithdrawReport, WithdrawRequest};
use crate::http::error::{ApiError, ApiJson};
use crate::http::guard::Admin;
use crate::http::App;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// The list's query, as sent: numbers are read here so that bad ones get a 400 that says so.
#[derive(Deserialize, IntoParams)]
pub struct ItemsQuery {
    /// available, allocated, delivered, revealed, bad or withdrawn.
    pub status: Option<String>,
    /// Only items imported with this batch label.
    pub batch: Option<String>,
    /// Keyset paging: items after this id (the previous page's `next_after`).
    pub after: Option<String>,
    /// Numbered paging from 1 (instead of `after`).
    pub page: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<String>,
}

fn number(name: &str, raw: Option<String>) -> Result<Option<i64>, ApiError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse::<i64>().map(Some).map_err(|_| {
            ApiError::bad_request(format!("{name} must be a whole number, not '{s}'"))
        }),
    }
}

impl ItemsQuery {
    fn parse(self) -> Result<ItemQuery, ApiError> {
        let blank = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
        let q = ItemQuery {
            status: blank(self.status).map(|s| s.trim().to_string()),
            // An empty label filters nothing; a label of spaces or control characters is
            // checked (and refused) like any other.
            batch: self.batch.filter(|b| !b.is_empty()),
            after: number("after", self.after)?,
            page: number("page", self.page)?,
            limit: number("limit", self.limit)?,
        };
        q.check().map_err(ApiError::bad_request)?;
        Ok(q)
    }
}

/// A product's stock items, masked (`ABCD-••••-••••-WXYZ`; accounts: the username so), with
/// status, batch, import time and the order each went to; oldest first. Page with `after`
/// (keyset, fastest) or `page`; filter by `status` and `batch`.
#[utoipa::path(get, path = "/api/v1/products/{id}/stock/items", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path), ItemsQuery),
    responses((status = 200, body = StockItemPage),
              (status = 400, description = "a bad page size, page, status or batch"),
              (status = 404, description = "no such product")))]
pub async fn list_items(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    query: Result<Query<ItemsQuery>, QueryRejection>,
) -> Result<Json<StockItemPage>, ApiError> {
    let Query(query) = query?;
    let q = query.parse()?;
    Ok(Json(app.run(move |e| e.list_stock_items(id, &q)).await?))
}

pub use auto_api::{FindRequest, FindResult};

/// Which order got this key? Finds stock items by their exact code through the keyed
/// fingerprint (nothing is decrypted to search); the code travels in the body, never the URL.
#[utoipa::path(post, path = "/api/v1/stock/find", tag = "products", security(("bearer" = [])),
    request_body = FindRequest,
    responses((status = 200, body = FindResult), (status = 404, description = "no stock item has this code"),
              (status = 422, description = "an empty or impossible code")))]
pub async fn find_stock(
    State(app): State<App>,
    _: Admin,
    ApiJson(req): ApiJson<FindRequest>,
) -> Result<Json<FindResult>, ApiError> {
    let found = app
        .run(move |e| e.find_stock(&req.code, req.product_id))
        .await?;
    Ok(Json(FindResult { found }))
}

#[derive(Deserialize, IntoParams)]
pub struct FileQuery {
    /// json (withdraw only, the default there), txt or csv.
    pub format: Option<String>,
    /// available (default) or withdrawn (export only).
    pub status: Option<String>,
    /// Only items of this batch (export only).
    pub batch: Option<String>,
}

fn file_format(raw: Option<&str>, json_ok: bool) -> Result<Option<ExportFormat>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") if json_ok => Ok(None),
        Some("json") if json_ok => Ok(None),
        None | Some("") => Ok(Some(ExportFormat::Txt)),
        Some(f) => ExportFormat::parse(f).map(Some).ok_or_else(|| {
            ApiError::bad_request(format!(
                "format '{f}' is not known: use {}txt or csv",
                if json_ok { "json, " } else { "" }
            ))
        }),
    }
}

/// A file of plain codes: downloaded, never cached.
fn attachment(text: String, format: ExportFormat, name: &str) -> Response {
    let (mime, ext) = match format {
        ExportFormat::Txt => ("text/plain; charset=utf-8", "txt"),
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let disposition = format!("attachment; filename=\"{name}.{ext}\"");
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        text,
    )
        .into_response()
}

/// A safe file name part from a SKU.
fn file_stem(sku: &str, what: &str) -> String {
    let sku: String = sku
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("{sku}-{what}")
}

/// Withdraws unsold (available) items: by `ids`, or by `batch` and/or `count` (newest first).
/// In one transaction they become `withdrawn`, never sold again, and the answer hands the
/// seller their plain codes (JSON, or `?format=txt|csv` as a download). An id that is not an
/// available item of this product withdraws nothing.
#[utoipa::path(post, path = "/api/v1/products/{id}/stock/withdraw", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path), FileQuery), request_body = WithdrawRequest,
    responses((status = 200, body = WithdrawReport, description = "JSON; txt/csv as a download"),
              (status = 400, description = "an unknown format"),
              (status = 409, description = "an item named is not available"),
              (status = 422, description = "no items named, or a bad batch or count")))]
pub async fn withdraw_stock(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    query: Result<Query<FileQuery>, QueryRejection>,
    ApiJson(req): ApiJson<WithdrawRequest>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let format = file_format(q.format.as_deref(), true)?;
    let (report, sku) = app
        .run(move |e| Ok((e.withdraw_stock(id, &req)?, e.get_product(id)?.sku)))
        .await?;
    let mut response = match format {
        None => Json(report).into_response(),
        Some(f) => attachment(
            crate::catalog::stock_export::render(&report.items, f)?,
            f,
            &file_stem(&sku, "withdrawn"),
        ),
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// Unsold items as a file, plain: `format=txt` (one per line) or `csv` (`code,batch,
/// imported_at`; accounts `username,password,notes,batch,imported_at`). `status=withdrawn`
/// gives the items withdrawn before, again.
#[utoipa::path(get, path = "/api/v1/products/{id}/stock/export", tag = "products", security(("bearer" = [])),
    params(("id" = i64, Path), FileQuery),
    responses((status = 200, description = "text/plain or text/csv, as a download"),
              (status = 400, description = "an unknown format or status, or a bad batch"),
              (status = 404, description = "no such product")))]
pub async fn export_stock(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    query: Result<Query<FileQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let format = file_format(q.format.as_deref(), false)?.unwrap_or(ExportFormat::Txt);
    let status = q
        .status
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "available".into());
    if status != "available" && status != "withdrawn" {
        return Err(ApiError::bad_request(
            "status is available (unsold) or withdrawn: only unsold items are exported",
        ));
    }
    let batch = match q.batch.filter(|b| !b.is_empty()) {
        Some(b) => Some(crate::catalog::batch_label(&b).map_err(ApiError::bad_request)?),
        None => None,
    };
    let (text, sku) = app
        .run(move |e| {
            let sku = e.get_product(id)?.sku;
            Ok((
                e.export_stock(id, &status, batch.as_deref(), format)?.0,
                sku,
            ))
        })
        .await?;
    Ok(attachment(text, format, &file_stem(&sku, "stock")))
}

pub use auto_api::DeliverWaiting;

/// Delivers the orders waiting for stock, a product or a mapping now: the retry an import
/// runs by itself, for when stock came back another way.
#[utoipa::path(post, path = "/api/v1/stock/deliver-waiting", tag = "products", security(("bearer" = [])),
    responses((status = 200, body = DeliverWaiting)))]
pub async fn deliver_waiting(
    State(app): State<App>,
    _: Admin,
) -> Result<Json<DeliverWaiting>, ApiError> {
    let delivering = app.run(|e| e.deliver_waiting()).await?;
    Ok(Json(DeliverWaiting {
        delivering: delivering as u64,
    }))
}
