//! The one place engine errors become HTTP responses: `{"error":{"code","message"}}`.

use crate::error::error_code;
use crate::Error;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// Maps an extractor's refusal (bad JSON, wrong types, too large) by its status.
    fn from_rejection(status: StatusCode, text: String) -> Self {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                status,
                "payload_too_large",
                "the request body is too large; split it into smaller requests",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => Self::invalid(text),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Self::bad_request("send the body with Content-Type: application/json")
            }
            _ => Self::bad_request(text),
        }
    }
}

/// The HTTP status for each engine error code.
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "invalid_input" => StatusCode::UNPROCESSABLE_ENTITY,
        "not_found" => StatusCode::NOT_FOUND,
        "conflict" | "illegal_transition" => StatusCode::CONFLICT,
        "unauthorized" | "pairing_code_invalid" => StatusCode::UNAUTHORIZED,
        "forbidden" => StatusCode::FORBIDDEN,
        "too_many_attempts" => StatusCode::TOO_MANY_REQUESTS,
        "upstream_error" => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let code = error_code(&e);
        let status = status_of(code);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The detail goes to the log (it never holds secrets: they are only ever sealed
            // bytes in storage errors); the client gets a plain apology.
            tracing::error!(error = %e, "request failed");
            return ApiError::new(
                status,
                code,
                "AUTO hit an internal error; see its log for details",
            );
        }
        ApiError {
            status,
            code,
            message: e.to_string(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        Self::from_rejection(r.status(), r.body_text())
    }
}
impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        Self::from_rejection(r.status(), r.body_text())
    }
}
impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::invalid(r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

/// `Json` whose refusals are API errors.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(v) = Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(v))
    }
}

/// Parses JSON already read into a value, with the API's error for bad shapes.
pub fn from_value<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(v)
        .map_err(|e| ApiError::invalid(format!("the body does not have the expected shape: {e}")))
}
