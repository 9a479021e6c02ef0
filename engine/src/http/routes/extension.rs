//! The extension's report on its own reading of Seller Centre (unreadable pages), for the
//! dashboard's warning.

use crate::extension_health::{ExtensionHealth, HealthReport};
use crate::http::error::{ApiError, ApiJson};
use crate::http::guard::{Admin, Extension};
use crate::http::App;
use axum::extract::State;
use axum::Json;

/// The extension reports how many Seller Centre responses it could not read (kept as redacted
/// samples the seller can save) and the last one's path; 0 once the seller cleared them.
#[utoipa::path(post, path = "/api/v1/extension/health", tag = "system", security(("bearer" = [])),
    request_body = HealthReport, responses((status = 200, body = ExtensionHealth),
        (status = 422, description = "a field is not valid")))]
pub async fn report(
    State(app): State<App>,
    _: Extension,
    ApiJson(input): ApiJson<HealthReport>,
) -> Result<Json<ExtensionHealth>, ApiError> {
    Ok(Json(
        app.run(move |e| e.report_extension_health(input)).await?,
    ))
}

/// The extension's last report (null if it never sent one).
#[utoipa::path(get, path = "/api/v1/extension/health", tag = "system", security(("bearer" = [])),
    responses((status = 200, body = Option<ExtensionHealth>)))]
pub async fn get(
    State(app): State<App>,
    _: Admin,
) -> Result<Json<Option<ExtensionHealth>>, ApiError> {
    Ok(Json(app.run(|e| e.extension_health()).await?))
}
