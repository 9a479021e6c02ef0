//! Storage of the Open Platform road: the app's credentials, the connected shops with their
//! tokens (sealed by the vault, like stock), and the authorization states handed out.

use super::client::Credentials;
use crate::secrets::Vault;
use crate::store::now_ms;
use crate::{Error, Result};
pub use auto_api::{FirstSync, ShopeeApp, ShopeeShop};
use rusqlite::{params, Connection, OptionalExtension};

/// An authorization link is good for this long (the seller logs in to Shopee meanwhile).
const STATE_TTL_MS: i64 = 60 * 60 * 1000;

pub fn app_view(conn: &Connection) -> Result<ShopeeApp> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT partner_id, base_url FROM shopee_app WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((id, url)) => ShopeeApp {
            configured: true,
            partner_id: Some(id as u64),
            base_url: Some(url),
        },
        None => ShopeeApp {
            configured: false,
            partner_id: None,
            base_url: None,
        },
    })
}

pub fn put_app(conn: &Connection, vault: &Vault, creds: &Credentials) -> Result<()> {
    conn.execute(
        "INSERT INTO shopee_app (id, partner_id, partner_key, base_url, updated_at) VALUES (1, ?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET partner_id = excluded.partner_id, partner_key = excluded.partner_key,
                                        base_url = excluded.base_url, updated_at = excluded.updated_at",
        params![
            creds.partner_id as i64,
            vault.seal(&creds.partner_key),
            creds.base_url,
            now_ms()
        ],
    )?;
    Ok(())
}

/// The app's credentials, or a clear error when the seller has not set them.
pub fn credentials(conn: &Connection, vault: &Vault) -> Result<Credentials> {
    let row: Option<(i64, Vec<u8>, String)> = conn
        .query_row(
            "SELECT partner_id, partner_key, base_url FROM shopee_app WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (id, key, base_url) = row.ok_or_else(|| {
        Error::conflict(
            "no Shopee Open Platform app is set up; enter its partner id and key in Settings → Shopee API first",
        )
    })?;
    Ok(Credentials {
        partner_id: id as u64,
        partner_key: zeroize::Zeroizing::new(vault.open(&key)?),
        base_url,
    })
}

/// A connected shop's tokens, opened.
pub struct ShopTokens {
    pub shop_id: u64,
    pub access_token: zeroize::Zeroizing<String>,
    pub refresh_token: zeroize::Zeroizing<String>,
    pub access_expires_at: i64,
    pub refresh_expires_at: i64,
}

/// A refresh token this close to its end raises the "authorize again" warning.
pub const REAUTHORIZE_WITHIN_MS: i64 = 7 * 24 * 3600 * 1000;

pub fn list_shops(conn: &Connection) -> Result<Vec<ShopeeShop>> {
    let now = now_ms();
    let mut stmt = conn.prepare_cached(
        "SELECT shop_id, name, connected_at, access_expires_at, refresh_expires_at, last_sync_at,
                orders_pulled, last_error, first_sync_done, first_sync_total, first_sync_finished
         FROM shopee_shops ORDER BY shop_id",
    )?;
    let rows = stmt.query_map([], |r| {
        let refresh: i64 = r.get(4)?;
        Ok(ShopeeShop {
            shop_id: r.get::<_, i64>(0)? as u64,
            name: r.get(1)?,
            connected_at: crate::orders::ts(r.get(2)?),
            access_expires_at: crate::orders::ts(r.get(3)?),
            refresh_expires_at: crate::orders::ts(refresh),
            reauthorize_soon: refresh - now < REAUTHORIZE_WITHIN_MS,
            last_sync_at: r.get::<_, Option<i64>>(5)?.map(crate::orders::ts),
            orders_pulled: r.get(6)?,
            last_error: r.get(7)?,
            first_sync: FirstSync {
                done: r.get(8)?,
                total: r.get(9)?,
                finished: r.get::<_, i64>(10)? != 0,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn shop_ids(conn: &Connection) -> Result<Vec<u64>> {
    let mut stmt = conn.prepare_cached("SELECT shop_id FROM shopee_shops ORDER BY shop_id")?;
    let ids = stmt.query_map([], |r| r.get::<_, i64>(0))?;
    Ok(ids
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|i| i as u64)
        .collect())
}

pub fn tokens(conn: &Connection, vault: &Vault, shop_id: u64) -> Result<ShopTokens> {
    let row: Option<(Vec<u8>, Vec<u8>, i64, i64)> = conn
        .query_row(
            "SELECT access_token, refresh_token, access_expires_at, refresh_expires_at
             FROM shopee_shops WHERE shop_id = ?1",
            [shop_id as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (a, rf, ae, re) =
        row.ok_or_else(|| Error::not_found(format!("connected Shopee shop {shop_id}")))?;
    Ok(ShopTokens {
        shop_id,
        access_token: zeroize::Zeroizing::new(vault.open(&a)?),
        refresh_token: zeroize::Zeroizing::new(vault.open(&rf)?),
        access_expires_at: ae,
        refresh_expires_at: re,
    })
}

/// Stores fresh tokens: a new shop, or new tokens of a known one (its sync state is kept).
pub fn save_tokens(conn: &Connection, vault: &Vault, t: &ShopTokens) -> Result<()> {
    conn.execute(
        "INSERT INTO shopee_shops (shop_id, access_token, refresh_token, access_expires_at, refresh_expires_at, connected_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (shop_id) DO UPDATE SET access_token = excluded.access_token,
             refresh_token = excluded.refresh_token, access_expires_at = excluded.access_expires_at,
             refresh_expires_at = excluded.refresh_expires_at, last_error = NULL",
        params![
            t.shop_id as i64,
            vault.seal(&t.access_token),
            vault.seal(&t.refresh_token),
            t.access_expires_at,
            t.refresh_expires_at,
            now_ms()
        ],
    )?;
    Ok(())
}

pub fn set_name(conn: &Connection, shop_id: u64, name: &str) -> Result<()> {
    conn.execute(
        "UPDATE shopee_shops SET name = ?2 WHERE shop_id = ?1",
        params![shop_id as i64, name],
    )?;
    Ok(())
}

pub fn delete_shop(conn: &Connection, shop_id: u64) -> Result<()> {
    let n = conn.execute(
        "DELETE FROM shopee_shops WHERE shop_id = ?1",
        [shop_id as i64],
    )?;
    if n == 0 {
        return Err(Error::not_found(format!("connected Shopee shop {shop_id}")));
    }
    Ok(())
}

/// Where the order pull of a shop stands.
#[derive(Debug, Clone, Copy)]
pub struct SyncMark {
    pub high_water: Option<i64>,
    pub connected_at_secs: i64,
    pub first_sync_finished: bool,
    pub chat_since_nano: Option<i64>,
}

pub fn sync_mark(conn: &Connection, shop_id: u64) -> Result<SyncMark> {
    conn.query_row(
        "SELECT high_water, connected_at, first_sync_finished, chat_since_nano FROM shopee_shops WHERE shop_id = ?1",
        [shop_id as i64],
        |r| {
            Ok(SyncMark {
                high_water: r.get(0)?,
                connected_at_secs: r.get::<_, i64>(1)? / 1000,
                first_sync_finished: r.get::<_, i64>(2)? != 0,
                chat_since_nano: r.get(3)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::not_found(format!("connected Shopee shop {shop_id}")))
}

/// Moves the high-water mark after a window was pulled and taken in (0: counts only);
/// `listed` orders read (the first sync's progress), `new` ones AUTO did not know.
pub fn advance(
    conn: &Connection,
    shop_id: u64,
    high_water: i64,
    listed: i64,
    new: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE shopee_shops
         SET high_water = CASE WHEN ?2 > 0 THEN max(coalesce(high_water, 0), ?2) ELSE high_water END,
             orders_pulled = orders_pulled + ?4,
             first_sync_done = first_sync_done + CASE WHEN first_sync_finished = 0 THEN ?3 ELSE 0 END
         WHERE shop_id = ?1",
        params![shop_id as i64, high_water, listed, new],
    )?;
    Ok(())
}

pub fn set_first_sync_total(conn: &Connection, shop_id: u64, total: Option<i64>) -> Result<()> {
    conn.execute(
        "UPDATE shopee_shops SET first_sync_total = ?2 WHERE shop_id = ?1",
        params![shop_id as i64, total],
    )?;
    Ok(())
}

pub fn finish_first_sync(conn: &Connection, shop_id: u64) -> Result<()> {
    conn.execute(
        "UPDATE shopee_shops SET first_sync_finished = 1 WHERE shop_id = ?1",
        [shop_id as i64],
    )?;
    Ok(())
}

pub fn set_chat_since(conn: &Connection, shop_id: u64, nano: i64) -> Result<()> {
    conn.execute(
        "UPDATE shopee_shops SET chat_since_nano = max(coalesce(chat_since_nano, 0), ?2) WHERE shop_id = ?1",
        params![shop_id as i64, nano],
    )?;
    Ok(())
}

/// Records how a sync of the shop ended.
pub fn finish_sync(conn: &Connection, shop_id: u64, error: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE shopee_shops SET last_sync_at = ?2, last_error = ?3 WHERE shop_id = ?1",
        params![shop_id as i64, now_ms(), error],
    )?;
    Ok(())
}

/// A fresh state for an authorization link.
pub fn new_state(conn: &Connection) -> Result<String> {
    let state = crate::secrets::hex(&rand::random::<[u8; 16]>());
    conn.execute(
        "DELETE FROM shopee_auth_states WHERE created_at < ?1",
        [now_ms() - STATE_TTL_MS],
    )?;
    conn.execute(
        "INSERT INTO shopee_auth_states (state, created_at) VALUES (?1, ?2)",
        params![state, now_ms()],
    )?;
    Ok(state)
}

/// Uses up a state from a callback; false when it is unknown, used or too old.
pub fn take_state(conn: &Connection, state: &str) -> Result<bool> {
    let n = conn.execute(
        "DELETE FROM shopee_auth_states WHERE state = ?1 AND created_at >= ?2",
        params![state, now_ms() - STATE_TTL_MS],
    )?;
    Ok(n == 1)
}

/// Whether `shop` (an order's shop field) is a shop connected through the Open Platform.
pub fn is_connected_shop(conn: &Connection, shop: &str) -> Result<bool> {
    let Ok(id) = shop.parse::<i64>() else {
        return Ok(false);
    };
    Ok(conn
        .prepare_cached("SELECT 1 FROM shopee_shops WHERE shop_id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}
