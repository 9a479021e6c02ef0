//! The engine's error type: one variant per thing a caller can act on.

use thiserror::Error;

/// Everything the engine can refuse or fail at. HTTP maps these in `http::error`, the CLI prints them.
#[derive(Debug, Error)]
pub enum Error {
    #[error("{0}")]
    Invalid(String),
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{0}")]
    Conflict(String),
    #[error("an order cannot move from {from} to {to}")]
    IllegalTransition { from: String, to: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("pairing code is wrong, already used or expired; ask the app for a new one")]
    PairingCodeInvalid,
    #[error(
        "too many wrong pairing codes; create a new code in the app and try again in a minute"
    )]
    TooManyAttempts,
    #[error("{0}")]
    Secrets(String),
    /// Shopee (or another service AUTO calls) refused or failed; the message says what to do.
    #[error("{0}")]
    Upstream(String),
    #[error("database error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }
    pub fn conflict(msg: impl Into<String>) -> Self {
        Error::Conflict(msg.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The `{"code","message"}` of an error.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// The stable code of an error, shared by HTTP responses and batch results.
pub fn error_code(e: &Error) -> &'static str {
    match e {
        Error::Invalid(_) => "invalid_input",
        Error::NotFound { .. } => "not_found",
        Error::Conflict(_) => "conflict",
        Error::IllegalTransition { .. } => "illegal_transition",
        Error::Unauthorized(_) => "unauthorized",
        Error::Forbidden(_) => "forbidden",
        Error::PairingCodeInvalid => "pairing_code_invalid",
        Error::TooManyAttempts => "too_many_attempts",
        Error::Upstream(_) => "upstream_error",
        Error::Secrets(_) | Error::Storage(_) | Error::Io(_) => "internal",
    }
}

/// The code and message a client is shown; internal failures are logged, not described.
pub fn error_body(e: &Error) -> ErrorBody {
    let code = error_code(e);
    let message = if code == "internal" {
        tracing::error!(error = %e, "request failed");
        "AUTO hit an internal error; see its log for details".to_string()
    } else {
        e.to_string()
    };
    ErrorBody {
        code: code.to_string(),
        message,
    }
}
