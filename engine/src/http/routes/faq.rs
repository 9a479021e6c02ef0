//! The FAQ: entries, import/export, and the tester.

use crate::assistant::faq::{FaqEntry, FaqFilter, FaqPage, FaqPatch, NewFaq};
use crate::assistant::faq_io::{FaqImport, FaqImportReport, ImportEntry};
use crate::assistant::ops::SearchView;
use crate::http::error::{from_value, ApiError, ApiJson};
use crate::http::guard::Admin;
use crate::http::App;
use auto_api::SearchRequest;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

/// FAQ entries, filtered and paged.
#[utoipa::path(get, path = "/api/v1/faq", tag = "assistant", security(("bearer" = [])), params(FaqFilter),
    responses((status = 200, body = FaqPage)))]
pub async fn list(
    State(app): State<App>,
    _: Admin,
    filter: Result<Query<FaqFilter>, QueryRejection>,
) -> Result<Json<FaqPage>, ApiError> {
    let Query(filter) = filter?;
    Ok(Json(app.run(move |e| e.faq_list(&filter)).await?))
}

/// Creates an entry; it is searchable when this returns.
#[utoipa::path(post, path = "/api/v1/faq", tag = "assistant", security(("bearer" = [])), request_body = NewFaq,
    responses((status = 201, body = FaqEntry), (status = 409, description = "the same question exists"),
              (status = 422, description = "a field is not valid")))]
pub async fn create(
    State(app): State<App>,
    _: Admin,
    ApiJson(new): ApiJson<NewFaq>,
) -> Result<(StatusCode, Json<FaqEntry>), ApiError> {
    let entry = app.run(move |e| e.faq_create(new)).await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

#[utoipa::path(get, path = "/api/v1/faq/{id}", tag = "assistant", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = FaqEntry), (status = 404)))]
pub async fn get_one(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<Json<FaqEntry>, ApiError> {
    Ok(Json(app.run(move |e| e.faq_get(id)).await?))
}

/// Changes some fields; `variants` replaces the list. Search follows at once.
#[utoipa::path(patch, path = "/api/v1/faq/{id}", tag = "assistant", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FaqPatch, responses((status = 200, body = FaqEntry), (status = 404)))]
pub async fn patch(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<FaqPatch>,
) -> Result<Json<FaqEntry>, ApiError> {
    Ok(Json(app.run(move |e| e.faq_update(id, patch)).await?))
}

#[utoipa::path(delete, path = "/api/v1/faq/{id}", tag = "assistant", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
pub async fn delete(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    app.run(move |e| e.faq_delete(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqImportBody {
    pub entries: Vec<ImportEntry>,
}

/// Imports entries: JSON `{"entries":[...]}` (or a bare list) or `text/csv` with the columns
/// question,answer,variants,product,language,tags,enabled (lists separated by `|`), plus
/// `answer_<language>` columns (`answer_en`) for the answer in other languages. Duplicate
/// questions and bad rows are reported by line and skipped. Embeddings follow in the
/// background: `GET /assistant/status` shows the progress.
#[utoipa::path(post, path = "/api/v1/faq/import", tag = "assistant", security(("bearer" = [])),
    request_body(content = FaqImportBody, content_type = "application/json"),
    responses((status = 200, body = FaqImportReport), (status = 422, description = "an unreadable file")))]
pub async fn import(
    State(app): State<App>,
    _: Admin,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<FaqImportReport>, ApiError> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let input = match mime.as_str() {
        "application/json" => {
            let value: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
            let entries = if value.is_array() {
                from_value::<Vec<ImportEntry>>(value)?
            } else {
                from_value::<FaqImportBody>(value)?.entries
            };
            FaqImport::Json(entries)
        }
        "text/csv" | "application/csv" | "text/plain" => {
            FaqImport::Csv(String::from_utf8(body.to_vec()).map_err(|_| {
                ApiError::invalid("the file is not UTF-8 text; save it as UTF-8 and try again")
            })?)
        }
        _ => {
            return Err(ApiError::bad_request(
                "send the FAQ as application/json or text/csv",
            ))
        }
    };
    Ok(Json(app.run(move |e| e.faq_import(input)).await?))
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// csv (default) or json.
    pub format: Option<String>,
}

/// The whole FAQ as CSV (importable as is) or JSON.
#[utoipa::path(get, path = "/api/v1/faq/export", tag = "assistant", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "text/csv or application/json")))]
pub async fn export(
    State(app): State<App>,
    _: Admin,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    match q.format.as_deref().unwrap_or("csv") {
        "csv" => {
            let csv = app.run(|e| e.faq_export_csv()).await?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"faq.csv\"",
                    ),
                ],
                csv,
            )
                .into_response())
        }
        "json" => Ok(
            Json(serde_json::json!({"entries": app.run(|e| e.faq_export_json()).await?}))
                .into_response(),
        ),
        other => Err(ApiError::invalid(format!(
            "format {other:?} is not known: use csv or json"
        ))),
    }
}

/// The tester: ranked FAQ entries for a question, with scores and the decision the assistant
/// would take. Nothing is recorded.
#[utoipa::path(post, path = "/api/v1/assistant/search", tag = "assistant", security(("bearer" = [])),
    request_body = SearchRequest, responses((status = 200, body = SearchView)))]
pub async fn search(
    State(app): State<App>,
    _: Admin,
    ApiJson(req): ApiJson<SearchRequest>,
) -> Result<Json<SearchView>, ApiError> {
    Ok(Json(
        app.run(move |e| e.assistant_search(&req.text, req.product_id))
            .await?,
    ))
}
