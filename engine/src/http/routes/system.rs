//! Health, pairing, and the page at `/`.

use crate::auth::Scope;
use crate::http::error::{ApiError, ApiJson};
use crate::http::guard::Admin;
use crate::http::App;
use axum::extract::State;
use axum::response::Html;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub assistant: AssistantHealth,
}

/// How the assistant searches: "hybrid" (local embeddings and full text) or "fulltext" (no
/// model: words only), and why.
#[derive(Serialize, ToSchema)]
pub struct AssistantHealth {
    pub search: crate::assistant::knowledge::SearchMode,
    pub model: String,
    pub model_error: Option<String>,
    pub indexing: bool,
}

/// Whether AUTO is up, and how its assistant searches (no token needed).
#[utoipa::path(get, path = "/api/v1/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health(State(app): State<App>) -> Json<Health> {
    let st = app.engine.assistant.knowledge.status();
    Json(Health {
        status: "ok".into(),
        version: crate::VERSION.into(),
        assistant: AssistantHealth {
            search: st.mode,
            model: st.model,
            model_error: st.model_error,
            indexing: st.indexing,
        },
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairRequest {
    /// The 6-digit code the app shows.
    pub code: String,
    /// Who is pairing, e.g. "extension".
    pub client: String,
    /// The extension's origin (chrome-extension://<id>); CORS lets it in from now on.
    #[serde(default)]
    pub origin: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub scope: Scope,
}

/// Trades a pairing code for an extension token (no token needed).
#[utoipa::path(post, path = "/api/v1/pair", tag = "access", request_body = PairRequest,
    responses((status = 200, body = TokenResponse), (status = 401, description = "wrong, used or expired code"),
              (status = 429, description = "too many wrong codes")))]
pub async fn pair(
    State(app): State<App>,
    ApiJson(req): ApiJson<PairRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let token = app
        .run(move |e| e.pair(req.code.trim(), &req.client, req.origin.as_deref()))
        .await?;
    Ok(Json(TokenResponse {
        token,
        scope: Scope::Extension,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PairingCode {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// Creates a pairing code for the extension, valid for 5 minutes.
#[utoipa::path(post, path = "/api/v1/pairing-codes", tag = "access", security(("bearer" = [])),
    responses((status = 200, body = PairingCode)))]
pub async fn create_pairing_code(
    State(app): State<App>,
    _: Admin,
) -> Result<Json<PairingCode>, ApiError> {
    let (code, expires_at) = app.run(|e| e.create_pairing_code()).await?;
    Ok(Json(PairingCode { code, expires_at }))
}

/// A plain page until the UI is served here.
pub async fn index() -> Html<&'static str> {
    Html(
        "<!doctype html><meta charset=utf-8><title>AUTO</title>\
         <h1>AUTO is running</h1><p>The local API is at <a href=/api/v1/health>/api/v1/health</a>; \
         its description is <a href=/api/v1/openapi.json>/api/v1/openapi.json</a>.</p>",
    )
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<crate::auth::TokenInfo>,
}

/// Every API token (never the token itself): paired extensions, scripts.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "access", security(("bearer" = [])),
    responses((status = 200, body = TokenList)))]
pub async fn list_tokens(State(app): State<App>, _: Admin) -> Result<Json<TokenList>, ApiError> {
    let tokens = app.run(|e| e.list_tokens()).await?;
    Ok(Json(TokenList { tokens }))
}

/// Revokes a token at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "access", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
pub async fn revoke_token(
    State(app): State<App>,
    _: Admin,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    app.run(move |e| e.revoke_token(id)).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
