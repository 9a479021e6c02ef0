//! API tokens. Only a SHA-256 hash is stored, so a copy of the database grants nothing.

use crate::store::now_ms;
use crate::{Error, Result};
pub use auto_api::{Scope, TokenInfo};
use base64::Engine as _;
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(super) fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Creates a token and returns it; this is the only time it is shown.
pub fn create_token(
    conn: &Connection,
    scope: Scope,
    label: &str,
    origin: Option<&str>,
) -> Result<String> {
    create_expiring_token(conn, scope, label, origin, None)
}

/// Creates a token that stops working at `expires_at` (ms since the epoch), when given.
pub fn create_expiring_token(
    conn: &Connection,
    scope: Scope,
    label: &str,
    origin: Option<&str>,
    expires_at: Option<i64>,
) -> Result<String> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!(
        "auto_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    conn.execute(
        "INSERT INTO api_tokens (token_hash, scope, label, origin, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            hash(&token),
            scope.as_str(),
            label,
            origin,
            now_ms(),
            expires_at
        ],
    )?;
    Ok(token)
}

/// The scope of a live token, or None for an unknown or revoked one.
pub fn verify_token(conn: &Connection, token: &str) -> Result<Option<Scope>> {
    if token.len() > 200 {
        return Ok(None);
    }
    let scope: Option<String> = conn
        .prepare_cached(
            "SELECT scope FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL
               AND (expires_at IS NULL OR expires_at > ?2)",
        )?
        .query_row(params![hash(token), now_ms()], |r| r.get(0))
        .optional()?;
    Ok(scope.as_deref().and_then(Scope::parse))
}

/// Every token ever made, newest first.
pub fn list_tokens(conn: &Connection) -> Result<Vec<TokenInfo>> {
    let ts = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let mut stmt = conn.prepare(
        "SELECT id, scope, label, origin, created_at, revoked_at, expires_at FROM api_tokens ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        let scope: String = r.get(1)?;
        Ok(TokenInfo {
            id: r.get(0)?,
            scope: Scope::parse(&scope).unwrap_or(Scope::Extension),
            label: r.get(2)?,
            origin: r.get(3)?,
            created_at: ts(r.get(4)?),
            revoked_at: r.get::<_, Option<i64>>(5)?.map(ts),
            session: r.get::<_, Option<i64>>(6)?.is_some(),
            expires_at: r.get::<_, Option<i64>>(6)?.map(ts),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Revokes a token; revoking it again changes nothing.
pub fn revoke_token(conn: &Connection, id: i64) -> Result<()> {
    let found = conn
        .query_row("SELECT 1 FROM api_tokens WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some();
    if !found {
        return Err(Error::not_found(format!("token {id}")));
    }
    conn.execute(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
        params![id, now_ms()],
    )?;
    Ok(())
}

/// Origins of paired extensions, the only ones CORS lets in.
pub fn paired_origins(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT origin FROM api_tokens WHERE origin IS NOT NULL AND revoked_at IS NULL",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Remembers verified tokens for a short while, so a busy extension costs no database read
/// per request; a revoked token stops working within the TTL.
pub struct TokenCache {
    entries: Mutex<HashMap<Vec<u8>, (Scope, Instant)>>,
    ttl: Duration,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache {
            entries: Mutex::new(HashMap::new()),
            ttl: Duration::from_secs(30),
        }
    }
}

impl TokenCache {
    /// Forgets every cached token (after a revocation).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The token's scope, from the cache or `lookup`.
    pub fn scope(
        &self,
        token: &str,
        lookup: impl FnOnce() -> Result<Option<Scope>>,
    ) -> Result<Scope> {
        let key = hash(token);
        if let Some((scope, at)) = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            if at.elapsed() < self.ttl {
                return Ok(*scope);
            }
        }
        let scope = lookup()?.ok_or_else(|| {
            Error::Unauthorized("the token is not valid; pair again or create a new token".into())
        })?;
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() > 10_000 {
            entries.clear();
        }
        entries.insert(key, (scope, Instant::now()));
        Ok(scope)
    }
}
