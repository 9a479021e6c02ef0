//! Connecting a shop: the app's credentials, the authorization link
//! (`/api/v2/shop/auth_partner`, redirecting back to AUTO's `/shopee/callback` with a state AUTO
//! made), and the trade of Shopee's one-time `code` for the shop's tokens
//! (`/api/v2/auth/token/get`).

use super::client::{resolve_base_url, Client, Credentials};
use super::session::{tokens_from, Session};
use super::sign::Signer;
use super::store::{self, ShopeeApp, ShopeeShop};
use super::{blocking, RoadError};
use crate::{Engine, Error, Result};
use serde_json::{json, Value};
use std::sync::Arc;

/// Checks and stores the app's credentials (the key sealed like stock).
pub fn set_app(
    engine: &Engine,
    partner_id: i64,
    partner_key: &str,
    base_url: &str,
) -> Result<ShopeeApp> {
    if partner_id <= 0 {
        return Err(Error::invalid(
            "partner_id must be a positive number (the app's id in Shopee's Open Platform console)",
        ));
    }
    let key = partner_key.trim();
    if key.is_empty() || key.len() > 256 || key.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(Error::invalid(
            "partner_key must be the app's key as the Open Platform console shows it (no spaces)",
        ));
    }
    let base_url = resolve_base_url(base_url).map_err(Error::invalid)?;
    let creds = Credentials {
        partner_id: partner_id as u64,
        partner_key: zeroize::Zeroizing::new(key.to_string()),
        base_url,
    };
    engine
        .db
        .write(|c| store::put_app(c, &engine.vault, &creds))?;
    engine.db.read(store::app_view)
}

pub fn client(engine: &Engine) -> Result<Client> {
    let creds = engine.db.read(|c| store::credentials(c, &engine.vault))?;
    Client::new(creds).map_err(|e| Error::Upstream(e.to_string()))
}

/// The link the seller opens to authorize a shop; Shopee sends them back to `redirect`
/// (AUTO's own callback) with `code` and `shop_id`, and the state AUTO put there.
pub fn authorize_url(engine: &Engine, redirect: &str) -> Result<String> {
    let mut back = reqwest::Url::parse(redirect)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| Error::invalid("redirect must be an http(s) URL"))?;
    let client = client(engine)?;
    let state = engine.db.write(store::new_state)?;
    back.query_pairs_mut().append_pair("state", &state);
    Ok(client.signed_url(
        "/api/v2/shop/auth_partner",
        Signer::Public,
        &[("redirect", back.to_string())],
    ))
}

/// What a callback or a pasted landing URL carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    pub code: String,
    pub shop_id: u64,
    pub state: Option<String>,
}

/// Reads `code`, `shop_id` (and `state`) from the URL the seller landed on.
pub fn parse_landing(url: &str) -> Result<Landing> {
    let url = reqwest::Url::parse(url.trim()).map_err(|_| {
        Error::invalid("that is not a URL; paste the whole address Shopee sent you to")
    })?;
    let get = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    let code = get("code").ok_or_else(|| {
        Error::invalid(
            "the URL has no code=…; paste the address Shopee sent you to after you authorized",
        )
    })?;
    let shop_id = get("shop_id").ok_or_else(|| {
        Error::invalid("the URL has no shop_id=…; authorize a shop (not a main account) and paste the address again")
    })?;
    Ok(Landing {
        code: check_code(&code)?,
        shop_id: check_shop_id(&shop_id)?,
        state: get("state"),
    })
}

pub fn check_code(code: &str) -> Result<String> {
    let code = code.trim();
    // Shopee's codes are hex strings; anything else is not one, whatever the page says.
    if code.is_empty()
        || code.len() > 200
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::invalid(
            "code must be the authorization code Shopee gave (letters and digits)",
        ));
    }
    Ok(code.to_string())
}

pub fn check_shop_id(s: &str) -> Result<u64> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|&id| id > 0 && id <= i64::MAX as u64)
        .ok_or_else(|| Error::invalid("shop_id must be a positive number"))
}

/// Trades the code for the shop's tokens, stores them, and learns the shop's name.
pub async fn connect(engine: Arc<Engine>, code: String, shop_id: u64) -> Result<ShopeeShop> {
    let client = {
        let e = engine.clone();
        tokio::task::spawn_blocking(move || client(&e))
            .await
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))??
    };
    let body = json!({"code": code, "shop_id": shop_id, "partner_id": client.creds.partner_id});
    let v = client
        .post("/api/v2/auth/token/get", Signer::Public, body)
        .await
        .map_err(|e| {
            if e.is_busy() {
                Error::Upstream(e.to_string())
            } else {
                Error::invalid(format!(
                    "Shopee did not accept this authorization ({e}); open the authorization link again and use the newest code, for the shop it names"
                ))
            }
        })?;
    let tokens = tokens_from(shop_id, &v, None).map_err(Error::from)?;
    blocking(&engine, move |e| {
        e.db.write(|c| store::save_tokens(c, &e.vault, &tokens))
    })
    .await
    .map_err(Error::from)?;
    tracing::info!(shop_id, "Shopee shop connected");
    // The name is a courtesy: a shop connects even when this call fails.
    if let Err(e) = learn_name(&engine, client, shop_id).await {
        tracing::warn!(shop_id, "could not read the shop's name: {e}");
    }
    let shops = blocking(&engine, |e| e.db.read(store::list_shops))
        .await
        .map_err(Error::from)?;
    shops
        .into_iter()
        .find(|s| s.shop_id == shop_id)
        .ok_or_else(|| Error::not_found(format!("connected Shopee shop {shop_id}")))
}

async fn learn_name(
    engine: &Arc<Engine>,
    client: Client,
    shop_id: u64,
) -> std::result::Result<(), RoadError> {
    let session = Session::open(engine.clone(), client, shop_id).await?;
    let v = session.get("/api/v2/shop/get_shop_info", &[]).await?;
    // get_shop_info answers at the top level in Shopee's documentation; some SDKs read
    // `response`: take either.
    let name = v
        .get("shop_name")
        .or_else(|| v.get("response").and_then(|r| r.get("shop_name")))
        .and_then(Value::as_str)
        .map(|n| n.chars().take(100).collect::<String>());
    if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
        blocking(engine, move |e| {
            e.db.write(|c| store::set_name(c, shop_id, &name))
        })
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_landing_url_gives_code_shop_and_state() {
        let l = parse_landing(
            "http://127.0.0.1:47821/shopee/callback?state=ab12&code=7a6b5c&shop_id=123456",
        )
        .unwrap();
        assert_eq!(
            l,
            Landing {
                code: "7a6b5c".into(),
                shop_id: 123456,
                state: Some("ab12".into())
            }
        );
        // Where Shopee will not redirect to a loopback address, the seller pastes wherever it went.
        let l = parse_landing("https://example.com/?code=c0de&shop_id=9").unwrap();
        assert_eq!((l.code.as_str(), l.shop_id, l.state), ("c0de", 9, None));
    }

    #[test]
    fn broken_landing_urls_say_what_is_missing() {
        for (url, says) in [
            ("not a url", "not a URL"),
            ("http://x/?shop_id=1", "no code"),
            ("http://x/?code=abc", "no shop_id"),
            ("http://x/?code=abc&shop_id=-4", "positive"),
            ("http://x/?code=abc&shop_id=12x", "positive"),
            ("http://x/?code=a%20b&shop_id=1", "authorization code"),
        ] {
            let e = parse_landing(url).unwrap_err().to_string();
            assert!(e.contains(says), "{url}: {e}");
        }
    }
}
