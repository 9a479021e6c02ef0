//! What every request passes: the Host check (DNS rebinding), the bearer token and its scope,
//! and the request log (method, path, status, time; never bodies, queries or headers).

use super::error::ApiError;
use super::App;
use crate::auth::Scope;
use crate::Error;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// Host names a page on the seller's own machine uses; anything else is a rebinding attempt.
fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']')
            .next()
            .map(|h| format!("[{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or("").to_string()
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost" | "[::1]"
    )
}

pub async fn host_guard(req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host());
    match host {
        Some(h) if loopback_host(h) => next.run(req).await,
        _ => ApiError::new(
            StatusCode::FORBIDDEN,
            "host_not_allowed",
            "AUTO answers only requests addressed to 127.0.0.1 or localhost",
        )
        .into_response(),
    }
}

pub async fn request_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(target: "auto::request", %method, %path, status, ms = format!("{ms:.2}"));
    response
}

/// The authenticated caller of a request.
pub struct Caller {
    pub scope: Scope,
}

impl Caller {
    /// Refuses the request unless the caller has `scope` (admin has every scope).
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scope == Scope::Admin || self.scope == scope {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("this needs an {} token", scope.as_str())).into())
        }
    }

    /// The name recorded in order trails.
    pub fn actor(&self) -> &'static str {
        self.scope.as_str()
    }
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let token = header.strip_prefix("Bearer ").map(str::trim).unwrap_or("");
        if !token.is_empty() {
            let scope = app.engine.authenticate(token)?;
            return Ok(Caller { scope });
        }
        if let Some(session) = session_cookie(&parts.headers) {
            same_origin(parts)?;
            let scope = app.engine.authenticate(&session).map_err(|_| {
                Error::Unauthorized(
                    "your session has ended; sign in again (`auto signin` prints a link)".into(),
                )
            })?;
            return Ok(Caller { scope });
        }
        Err(Error::Unauthorized(
            "send Authorization: Bearer <token> (pair the extension, or `auto token create`), \
             or sign in to the UI (`auto signin` prints a link)"
                .into(),
        )
        .into())
    }
}

/// The UI session's token, from the `auto_session` cookie.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == crate::auth::SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A cookie rides along with any request the browser makes to this host, even one a page of
/// another local program (same site: 127.0.0.1 on another port) starts. So a cookie counts
/// only on requests from AUTO's own pages: the browser's Origin and Sec-Fetch-Site headers,
/// when present, must say so.
fn same_origin(parts: &Parts) -> Result<(), ApiError> {
    let refuse = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_origin",
            "the UI session works only from AUTO's own pages",
        )
    };
    let get = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        if site != "same-origin" && site != "none" {
            return Err(refuse());
        }
    }
    if let Some(origin) = get("origin") {
        let host = get("host").unwrap_or("");
        if origin != format!("http://{host}") {
            return Err(refuse());
        }
    }
    Ok(())
}

/// Turns the few plain-text refusals axum makes itself (a bad path parameter, say) into the
/// API's JSON error shape, so every error a client sees looks the same.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    // JSON errors are shaped already; an HTML page (the sign-in link's refusal) is for a
    // person in a browser and stays a page.
    let shaped = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || shaped {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let message = String::from_utf8_lossy(&text).trim().to_string();
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_input",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = if message.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        message
    };
    let mut out = ApiError::new(status, code, message).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// A caller with the admin scope; the check runs before the body is read.
pub struct Admin(pub Caller);
/// A caller with the extension scope (admin has it too).
pub struct Extension(pub Caller);

impl FromRequestParts<App> for Admin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        caller.require(Scope::Admin)?;
        Ok(Admin(caller))
    }
}

impl FromRequestParts<App> for Extension {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        caller.require(Scope::Extension)?;
        Ok(Extension(caller))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_loopback_hosts_pass() {
        for ok in [
            "127.0.0.1",
            "127.0.0.1:47821",
            "localhost:1",
            "LOCALHOST",
            "[::1]:47821",
            "[::1]",
        ] {
            assert!(super::loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "127.0.0.1.evil.example",
            "localhost.evil:80",
            "10.0.0.1",
            "[::2]:1",
            "",
        ] {
            assert!(!super::loopback_host(bad), "{bad}");
        }
    }
}
