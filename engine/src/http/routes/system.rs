//! Health, pairing, and the page at `/`.

use crate::auth::Scope;
use crate::http::error::{ApiError, ApiJson};
use crate::http::guard::Admin;
use crate::http::App;
use auto_api::{PairingCode, SystemInfo, TokenList};
use axum::extract::State;
use axum::Json;
use chrono::Utc;
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

/// Version, data dir, port, and whether this is a first run.
#[utoipa::path(get, path = "/api/v1/system", tag = "system", security(("bearer" = [])),
    responses((status = 200, body = SystemInfo)))]
pub async fn system_info(
    State(app): State<App>,
    _: Admin,
    headers: axum::http::HeaderMap,
) -> Result<Json<SystemInfo>, ApiError> {
    let port = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .and_then(|(_, p)| p.parse().ok());
    let (first_run, products) = app
        .run(|e| Ok((e.first_run()?, e.list_products()?.len() as u64)))
        .await?;
    Ok(Json(SystemInfo {
        version: crate::VERSION.into(),
        data_dir: app.engine.data_dir.display().to_string(),
        port,
        first_run,
        products,
        delivery_paused: app.engine.delivery_paused(),
    }))
}

/// The delivery settings and a change to them (shared with the UI).
pub use auto_api::{DeliverySettings, DeliverySettingsChange};

/// Whether auto-delivery is paused, and the chat limit deliveries are cut to.
#[utoipa::path(get, path = "/api/v1/settings/delivery", tag = "system", security(("bearer" = [])),
    responses((status = 200, body = DeliverySettings)))]
pub async fn get_delivery(
    State(app): State<App>,
    _: Admin,
) -> Result<Json<DeliverySettings>, ApiError> {
    let chat_limit = app.run(|e| e.chat_limit()).await?;
    Ok(Json(DeliverySettings {
        paused: app.engine.delivery_paused(),
        chat_limit: chat_limit as u64,
    }))
}

/// Pauses or resumes auto-delivery (orders are still taken in and allocated), and sets the
/// chat limit for deliveries allocated from now on.
#[utoipa::path(put, path = "/api/v1/settings/delivery", tag = "system", security(("bearer" = [])),
    request_body = DeliverySettingsChange, responses((status = 200, body = DeliverySettings)))]
pub async fn put_delivery(
    State(app): State<App>,
    _: Admin,
    ApiJson(body): ApiJson<DeliverySettingsChange>,
) -> Result<Json<DeliverySettings>, ApiError> {
    if body.paused.is_none() && body.chat_limit.is_none() {
        return Err(ApiError::invalid(
            "nothing to change: give paused (true or false), chat_limit (100 to 5000) or both",
        ));
    }
    let chat_limit = app
        .run(move |e| {
            // The limit first: when it is refused, nothing changed.
            let limit = match body.chat_limit {
                Some(n) => e.set_chat_limit(n)?,
                None => e.chat_limit()?,
            };
            if let Some(paused) = body.paused {
                e.set_delivery_paused(paused)?;
            }
            Ok(limit)
        })
        .await?;
    Ok(Json(DeliverySettings {
        paused: app.engine.delivery_paused(),
        chat_limit: chat_limit as u64,
    }))
}

/// Downloads a consistent copy of the database. Its stock stays sealed with this data dir's
/// key, so it restores here; `auto backup` also writes the key, for another machine.
#[utoipa::path(get, path = "/api/v1/backup", tag = "system", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.sqlite3", description = "the database")))]
pub async fn backup(
    State(app): State<App>,
    _: Admin,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let bytes = app.run(|e| e.backup_bytes()).await?;
    let name = format!("auto-backup-{}.db", Utc::now().format("%Y%m%d-%H%M%S"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.sqlite3".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The largest backup the UI can upload (larger ones: `auto restore`).
pub const MAX_BACKUP_BYTES: usize = 1024 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct RestoreResult {
    /// The backup replaces the database when AUTO starts next.
    pub restart_required: bool,
}

/// Checks an uploaded backup (the raw file as the body) and stages it for the next start.
#[utoipa::path(post, path = "/api/v1/restore", tag = "system", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = RestoreResult), (status = 422, description = "not an AUTO backup of this data dir")))]
pub async fn restore(
    State(app): State<App>,
    _: Admin,
    body: axum::body::Bytes,
) -> Result<Json<RestoreResult>, ApiError> {
    if body.is_empty() {
        return Err(ApiError::invalid(
            "send the backup file as the request body",
        ));
    }
    app.run(move |e| e.stage_restore(&body)).await?;
    Ok(Json(RestoreResult {
        restart_required: true,
    }))
}
