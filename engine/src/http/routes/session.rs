//! The UI's session: the sign-in link, who is signed in, sign out.

use crate::auth::{Scope, SESSION_COOKIE, SESSION_TTL_MS};
use crate::http::error::ApiError;
use crate::http::guard::{session_cookie, Caller};
use crate::http::App;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize)]
pub struct SigninQuery {
    #[serde(default)]
    code: String,
}

/// `GET /signin?code=...`: trades a one-time code for the session cookie and opens the UI.
pub async fn signin(State(app): State<App>, Query(q): Query<SigninQuery>) -> Response {
    let code = q.code.trim().to_string();
    match app.run(move |e| e.redeem_signin_code(&code)).await {
        Ok(token) => {
            let cookie = format!(
                "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
                SESSION_TTL_MS / 1000
            );
            let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            // The code is spent; keep the link out of caches and referrers all the same.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
                .headers_mut()
                .insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            response
        }
        Err(e) => (
            StatusCode::UNAUTHORIZED,
            Html(format!(
                "<!doctype html><meta charset=utf-8><title>AUTO: sign in</title>\
                 <h1>This sign-in link does not work</h1><p>{}</p>\
                 <p>On the computer that runs AUTO, run <code>auto signin</code> and open the new link, \
                 or open AUTO from its desktop window.</p>",
                html_escape(&e.message)
            )),
        )
            .into_response(),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub scope: Scope,
    /// "cookie" for a UI session, "token" for a bearer token.
    pub via: String,
}

/// Who is calling: 200 with the scope, or 401 when signed out.
#[utoipa::path(get, path = "/api/v1/session", tag = "access", security(("bearer" = [])),
    responses((status = 200, body = SessionInfo), (status = 401)))]
pub async fn session(caller: Caller, headers: HeaderMap) -> Json<SessionInfo> {
    let via = if headers.contains_key(header::AUTHORIZATION) {
        "token"
    } else {
        "cookie"
    };
    Json(SessionInfo {
        scope: caller.scope,
        via: via.into(),
    })
}

/// Signs the UI session out: the token is revoked and the cookie cleared.
#[utoipa::path(post, path = "/api/v1/session/logout", tag = "access", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn logout(
    State(app): State<App>,
    _: Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = session_cookie(&headers) {
        app.run(move |e| e.end_session(&token)).await?;
    }
    let clear = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}
