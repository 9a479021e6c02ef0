//! One shop's calls: a fresh access token for each (refreshed ahead of expiry, or at once when
//! Shopee says it expired), and patience with a busy Shopee (a few retries with growing waits,
//! then the caller gives up until the next sync, losing nothing).

use super::client::{CallError, Client};
use super::sign::Signer;
use super::store::{self, ShopTokens};
use super::{blocking, RoadError};
use crate::store::now_ms;
use crate::Engine;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Refresh this long before the access token's end, so no call goes out with a dying token.
const REFRESH_AHEAD_MS: i64 = 5 * 60 * 1000;
/// Shopee's refresh tokens last 30 days (its documentation; the token response does not say).
pub const REFRESH_TOKEN_LIFE_MS: i64 = 30 * 24 * 3600 * 1000;
/// Tries of one call while Shopee is busy or rate-limits.
const BUSY_TRIES: u32 = 4;

/// Calls made for a shop, counted for reports and benchmarks.
#[derive(Default)]
pub struct Counters {
    pub calls: AtomicU64,
    pub refreshes: AtomicU64,
    pub busy_retries: AtomicU64,
}

pub struct Session {
    pub engine: Arc<Engine>,
    pub client: Client,
    pub shop_id: u64,
    tokens: tokio::sync::Mutex<ShopTokens>,
    pub counters: Counters,
}

impl Session {
    pub async fn open(
        engine: Arc<Engine>,
        client: Client,
        shop_id: u64,
    ) -> Result<Session, RoadError> {
        let tokens = blocking(&engine, move |e| {
            e.db.read(|c| store::tokens(c, &e.vault, shop_id))
        })
        .await?;
        Ok(Session {
            engine,
            client,
            shop_id,
            tokens: tokio::sync::Mutex::new(tokens),
            counters: Counters::default(),
        })
    }

    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, RoadError> {
        self.call(path, query, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<Value, RoadError> {
        self.call(path, &[], Some(body)).await
    }

    async fn call(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Value, RoadError> {
        let mut refreshed = false;
        let mut busy = 0;
        loop {
            let token = self.fresh_token(false).await?;
            let who = Signer::Shop {
                access_token: &token,
                shop_id: self.shop_id,
            };
            self.counters.calls.fetch_add(1, Ordering::Relaxed);
            let result = match &body {
                Some(b) => self.client.post(path, who, b.clone()).await,
                None => self.client.get(path, who, query).await,
            };
            match result {
                Ok(v) => return Ok(v),
                Err(e) if e.is_expired_token() && !refreshed => {
                    refreshed = true;
                    self.fresh_token(true).await?;
                }
                // A POST that got no answer may have been carried out: the caller decides.
                Err(e @ CallError::Transport(_)) if body.is_some() => return Err(e.into()),
                Err(e) if e.is_busy() && busy + 1 < BUSY_TRIES => {
                    busy += 1;
                    self.counters.busy_retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(250 << busy)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The access token, refreshed first when it ends soon (or `force`).
    async fn fresh_token(&self, force: bool) -> Result<zeroize::Zeroizing<String>, RoadError> {
        let mut tokens = self.tokens.lock().await;
        if !force && tokens.access_expires_at - now_ms() > REFRESH_AHEAD_MS {
            return Ok(tokens.access_token.clone());
        }
        let fresh = refresh(&self.engine, &self.client, &tokens).await?;
        self.counters.refreshes.fetch_add(1, Ordering::Relaxed);
        *tokens = fresh;
        Ok(tokens.access_token.clone())
    }
}

/// Trades the refresh token for new tokens and stores them before anything else happens:
/// Shopee hands out a new refresh token each time, and the old one stops working.
pub async fn refresh(
    engine: &Arc<Engine>,
    client: &Client,
    old: &ShopTokens,
) -> Result<ShopTokens, RoadError> {
    let body = json!({
        "refresh_token": old.refresh_token.as_str(),
        "shop_id": old.shop_id,
        "partner_id": client.creds.partner_id,
    });
    let v = client
        .post("/api/v2/auth/access_token/get", Signer::Public, body)
        .await
        .map_err(|e| {
            if e.is_busy() || e.clock_off_minutes().is_some() {
                RoadError::Shopee(e)
            } else {
                RoadError::Reauthorize(format!(
                    "Shopee no longer accepts shop {}'s authorization ({e}); authorize the shop again in Settings → Shopee API",
                    old.shop_id
                ))
            }
        })?;
    let fresh = tokens_from(old.shop_id, &v, Some(&old.refresh_token))?;
    let stored = ShopTokens {
        shop_id: fresh.shop_id,
        access_token: fresh.access_token.clone(),
        refresh_token: fresh.refresh_token.clone(),
        access_expires_at: fresh.access_expires_at,
        refresh_expires_at: fresh.refresh_expires_at,
    };
    blocking(engine, move |e| {
        e.db.write(|c| store::save_tokens(c, &e.vault, &stored))
    })
    .await?;
    Ok(fresh)
}

/// Reads the token response (`access_token`, `refresh_token`, `expire_in` at the top level of
/// `auth/token/get` and `auth/access_token/get`).
pub fn tokens_from(
    shop_id: u64,
    v: &Value,
    old_refresh: Option<&str>,
) -> Result<ShopTokens, RoadError> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let access = text("access_token");
    // The refresh call returns a new refresh token; should it not, the old one stays.
    let refresh = match text("refresh_token") {
        r if r.is_empty() => old_refresh.unwrap_or("").to_string(),
        r => r,
    };
    if access.is_empty() || refresh.is_empty() {
        return Err(RoadError::Shopee(CallError::Unreadable {
            status: 200,
            detail: "the token response has no access_token or refresh_token".into(),
        }));
    }
    let expire_in = v
        .get("expire_in")
        .and_then(Value::as_i64)
        .unwrap_or(4 * 3600);
    let now = now_ms();
    Ok(ShopTokens {
        shop_id,
        access_token: zeroize::Zeroizing::new(access),
        refresh_token: zeroize::Zeroizing::new(refresh),
        access_expires_at: now + expire_in.clamp(60, 30 * 24 * 3600) * 1000,
        refresh_expires_at: now + REFRESH_TOKEN_LIFE_MS,
    })
}
