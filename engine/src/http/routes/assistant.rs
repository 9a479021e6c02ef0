//! The assistant's state and settings: status, model choice, rebuilds, AI settings per level,
//! the language model endpoint, and what the memory graph has learned.

use crate::assistant::ops::{AssistantStatus, Insights};
use crate::assistant::settings::{AiSettings, Effective, Level, LlmEndpoint, LlmView};
use crate::http::error::{ApiError, ApiJson};
use crate::http::guard::Admin;
use crate::http::App;
use auto_api::{LlmRequest, ModelRequest};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

/// Search mode (hybrid or full text only, and why), indexing progress, graph size, model
/// endpoint, and the embedding models to choose from.
#[utoipa::path(get, path = "/api/v1/assistant/status", tag = "assistant", security(("bearer" = [])),
    responses((status = 200, body = AssistantStatus)))]
pub async fn status(State(app): State<App>, _: Admin) -> Result<Json<AssistantStatus>, ApiError> {
    Ok(Json(app.run(|e| e.assistant_status()).await?))
}

/// Switches the embedding model (an online one is downloaded once); every variant is
/// re-embedded in the background, with progress in the status.
#[utoipa::path(put, path = "/api/v1/assistant/model", tag = "assistant", security(("bearer" = [])),
    request_body = ModelRequest, responses((status = 200, body = AssistantStatus),
        (status = 422, description = "unknown model, or it cannot be loaded")))]
pub async fn set_model(
    State(app): State<App>,
    _: Admin,
    ApiJson(req): ApiJson<ModelRequest>,
) -> Result<Json<AssistantStatus>, ApiError> {
    Ok(Json(
        app.run(move |e| e.set_embedding_model(&req.model)).await?,
    ))
}

/// Rebuilds the vector index and the memory graph from the database.
#[utoipa::path(post, path = "/api/v1/assistant/rebuild", tag = "assistant", security(("bearer" = [])),
    responses((status = 200, body = AssistantStatus)))]
pub async fn rebuild(State(app): State<App>, _: Admin) -> Result<Json<AssistantStatus>, ApiError> {
    Ok(Json(app.run(|e| e.rebuild_assistant()).await?))
}

/// FAQ entries that never matched, and which products cause questions.
#[utoipa::path(get, path = "/api/v1/assistant/insights", tag = "assistant", security(("bearer" = [])),
    responses((status = 200, body = Insights)))]
pub async fn insights(State(app): State<App>, _: Admin) -> Result<Json<Insights>, ApiError> {
    Ok(Json(app.run(|e| e.insights()).await?))
}

fn level_key(level: Level, key: Option<String>) -> Result<String, ApiError> {
    match (level, key) {
        (Level::Store, None) => Ok(String::new()),
        (Level::Store, Some(_)) => Err(ApiError::invalid("store settings take no key")),
        (Level::Customer, Some(k)) => Ok(crate::assistant::settings::parse_customer_key(&k)?),
        (Level::Product, Some(k)) if !k.trim().is_empty() => Ok(k.trim().to_string()),
        (Level::Product, _) => Err(ApiError::invalid("product settings need ?key=<product id>")),
        (Level::Customer, _) => Err(ApiError::invalid(
            "customer settings need ?key=<shop>/<buyer username>",
        )),
    }
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LevelKey {
    /// The product id, or `<shop>/<buyer username>` for a customer; none for the store.
    pub key: Option<String>,
}

/// The AI settings one level sets (store, product or customer).
#[utoipa::path(get, path = "/api/v1/settings/ai/{level}", tag = "assistant", security(("bearer" = [])),
    params(("level" = Level, Path), LevelKey), responses((status = 200, body = AiSettings)))]
pub async fn get_ai(
    State(app): State<App>,
    _: Admin,
    Path(level): Path<Level>,
    query: Result<Query<LevelKey>, QueryRejection>,
) -> Result<Json<AiSettings>, ApiError> {
    let Query(q) = query?;
    let key = level_key(level, q.key)?;
    Ok(Json(app.run(move |e| e.ai_settings(level, &key)).await?))
}

/// Replaces the AI settings of one level; fields left out fall through to the less specific
/// level (customer → product → store → defaults).
#[utoipa::path(put, path = "/api/v1/settings/ai/{level}", tag = "assistant", security(("bearer" = [])),
    params(("level" = Level, Path), LevelKey), request_body = AiSettings, responses((status = 200, body = AiSettings)))]
pub async fn put_ai(
    State(app): State<App>,
    _: Admin,
    Path(level): Path<Level>,
    query: Result<Query<LevelKey>, QueryRejection>,
    ApiJson(settings): ApiJson<AiSettings>,
) -> Result<Json<AiSettings>, ApiError> {
    let Query(q) = query?;
    let key = level_key(level, q.key)?;
    Ok(Json(
        app.run(move |e| e.put_ai_settings(level, &key, &settings))
            .await?,
    ))
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EffectiveQuery {
    pub product_id: Option<i64>,
    /// `<shop>/<buyer username>`.
    pub customer: Option<String>,
}

/// The settings in force for a product and customer, and which level set each.
#[utoipa::path(get, path = "/api/v1/settings/ai", tag = "assistant", security(("bearer" = [])),
    params(EffectiveQuery), responses((status = 200, body = Effective)))]
pub async fn effective(
    State(app): State<App>,
    _: Admin,
    query: Result<Query<EffectiveQuery>, QueryRejection>,
) -> Result<Json<Effective>, ApiError> {
    let Query(q) = query?;
    let customer = q
        .customer
        .map(|c| crate::assistant::settings::parse_customer_key(&c))
        .transpose()?;
    Ok(Json(
        app.run(move |e| e.effective_settings(q.product_id, customer.as_deref()))
            .await?,
    ))
}

/// The language model endpoint (never the key; `api_key_set` says whether one is stored).
#[utoipa::path(get, path = "/api/v1/settings/llm", tag = "assistant", security(("bearer" = [])),
    responses((status = 200, body = LlmView)))]
pub async fn get_llm(State(app): State<App>, _: Admin) -> Result<Json<LlmView>, ApiError> {
    Ok(Json(app.run(|e| e.llm_endpoint()).await?))
}

/// Sets the language model endpoint and key.
#[utoipa::path(put, path = "/api/v1/settings/llm", tag = "assistant", security(("bearer" = [])),
    request_body = LlmRequest, responses((status = 200, body = LlmView)))]
pub async fn put_llm(
    State(app): State<App>,
    _: Admin,
    ApiJson(req): ApiJson<LlmRequest>,
) -> Result<Json<LlmView>, ApiError> {
    let endpoint = LlmEndpoint {
        base_url: req.base_url,
        model: req.model,
        timeout_secs: req.timeout_secs.unwrap_or(20),
    };
    Ok(Json(
        app.run(move |e| e.put_llm_endpoint(&endpoint, req.api_key.as_deref()))
            .await?,
    ))
}
