//! The dashboard's figures and the extension popup's summary.

use crate::http::error::ApiError;
use crate::http::guard::{Admin, Extension};
use crate::http::App;
use crate::stats::{Dashboard, Today};
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct DashboardQuery {
    /// How many local days, today included (1 to 366; default 7).
    #[serde(default = "seven")]
    pub days: i64,
    /// The seller's offset from UTC in minutes (UTC+7 is 420; default 0).
    #[serde(default)]
    pub tz_offset_minutes: i64,
}

fn seven() -> i64 {
    7
}

/// Orders, revenue per currency and deliveries per day; what waits; stock warnings; the
/// automatic answer rate.
#[utoipa::path(get, path = "/api/v1/stats/dashboard", tag = "system", security(("bearer" = [])),
    params(DashboardQuery), responses((status = 200, body = Dashboard)))]
pub async fn dashboard(
    State(app): State<App>,
    _: Admin,
    Query(q): Query<DashboardQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(
        app.run(move |e| e.dashboard(q.days, q.tz_offset_minutes))
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct TodayQuery {
    #[serde(default)]
    pub tz_offset_minutes: i64,
}

/// Today's orders and pending deliveries (the extension's popup).
#[utoipa::path(get, path = "/api/v1/stats/today", tag = "system", security(("bearer" = [])),
    params(TodayQuery), responses((status = 200, body = Today)))]
pub async fn today(
    State(app): State<App>,
    _: Extension,
    Query(q): Query<TodayQuery>,
) -> Result<Json<Today>, ApiError> {
    Ok(Json(app.run(move |e| e.today(q.tz_offset_minutes)).await?))
}
