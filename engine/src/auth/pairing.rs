//! Pairing: the app shows a 6-digit code valid for 5 minutes; the extension trades it, once,
//! for an extension token. Wrong guesses are limited, so the code space cannot be walked.

use super::tokens::{create_token, Scope};
use crate::store::now_ms;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a code stays valid.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
const MAX_FAILURES: usize = 10;
const FAILURE_WINDOW: Duration = Duration::from_secs(300);

fn hash(code: &str) -> Vec<u8> {
    Sha256::digest(format!("AUTO pairing {code}").as_bytes()).to_vec()
}

/// Creates a pairing code and returns it with its expiry.
pub fn create_pairing_code(conn: &Connection) -> Result<(String, DateTime<Utc>)> {
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let expires = now_ms() + CODE_TTL_MS;
    conn.execute(
        "DELETE FROM pairing_codes WHERE expires_at < ?1",
        [now_ms() - CODE_TTL_MS],
    )?;
    conn.execute(
        "INSERT INTO pairing_codes (code_hash, expires_at) VALUES (?1, ?2)",
        params![hash(&code), expires],
    )?;
    Ok((
        code,
        DateTime::from_timestamp_millis(expires).unwrap_or_default(),
    ))
}

/// Counts wrong codes across requests.
#[derive(Default)]
pub struct PairingGuard {
    failures: Mutex<VecDeque<Instant>>,
}

impl PairingGuard {
    fn recent_failures(&self) -> usize {
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        while f.front().is_some_and(|t| t.elapsed() > FAILURE_WINDOW) {
            f.pop_front();
        }
        f.len()
    }
}

/// Trades a valid, unused, unexpired code for an extension token bound to `origin`.
pub fn redeem_pairing_code(
    conn: &Connection,
    guard: &PairingGuard,
    code: &str,
    client: &str,
    origin: Option<&str>,
) -> Result<String> {
    if guard.recent_failures() >= MAX_FAILURES {
        return Err(Error::TooManyAttempts);
    }
    if let Some(o) = origin {
        let ok = (o.starts_with("chrome-extension://")
            || o.starts_with("moz-extension://")
            || o.starts_with("safari-web-extension://"))
            && o.len() <= 200
            && o.split("://").nth(1).is_some_and(|id| {
                !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !ok {
            return Err(Error::invalid(
                "origin must be the extension's origin, such as chrome-extension://<id>",
            ));
        }
    }
    let client = client.trim();
    if client.is_empty() || client.chars().count() > 60 || client.chars().any(char::is_control) {
        return Err(Error::invalid(
            "client must be a short name such as \"extension\"",
        ));
    }
    let now = now_ms();
    let found: Option<i64> = if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        conn.query_row(
            "SELECT id FROM pairing_codes WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
            params![hash(code), now],
            |r| r.get(0),
        )
        .optional()?
    } else {
        None
    };
    let Some(id) = found else {
        let mut f = guard.failures.lock().unwrap_or_else(|p| p.into_inner());
        f.push_back(Instant::now());
        if f.len() >= MAX_FAILURES {
            // Someone is guessing: burn every outstanding code.
            conn.execute(
                "UPDATE pairing_codes SET used_at = ?1 WHERE used_at IS NULL",
                [now],
            )?;
        }
        return Err(Error::PairingCodeInvalid);
    };
    conn.execute(
        "UPDATE pairing_codes SET used_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    create_token(conn, Scope::Extension, client, origin)
}
