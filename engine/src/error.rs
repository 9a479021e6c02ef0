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
