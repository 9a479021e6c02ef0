//! Access (pairing, tokens), what the system page shows, and the extension's health report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Everything: the UI, the seller's scripts.
    Admin,
    /// Report orders and chat messages, fetch and confirm deliveries.
    Extension,
}

impl Scope {
    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Admin => "admin",
            Scope::Extension => "extension",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "admin" => Some(Scope::Admin),
            "extension" => Some(Scope::Extension),
            _ => None,
        }
    }
}

/// A token as the seller sees it: never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: i64,
    pub scope: Scope,
    pub label: String,
    pub origin: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// True for a UI sign-in session (it expires); false for a paired extension or a script.
    pub session: bool,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `GET /tokens`: every token ever made, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

/// `POST /pairing-codes`: a code the extension's popup asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingCode {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// `GET /system`: version, data dir, port, and whether this is a first run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemInfo {
    pub version: String,
    pub data_dir: String,
    /// The port this server answers on, as the request's Host header names it.
    pub port: Option<u16>,
    /// No order seen and no extension paired yet: the UI shows its first-run guide.
    pub first_run: bool,
    pub products: u64,
    pub delivery_paused: bool,
}

/// The extension's last report on Seller Centre responses it could not read, as the dashboard
/// shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtensionHealth {
    pub unreadable: i64,
    pub last_path: Option<String>,
    pub last_reason: Option<String>,
    pub reported_at: DateTime<Utc>,
}
