//! AI settings at three levels (store, product, customer); the most specific one that sets a
//! field wins. The LLM endpoint is store-wide; its API key is sealed by the vault.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::policy::DEFAULT_THRESHOLD;
use crate::store::now_ms;
use crate::{fields, Error, Result};

pub use auto_api::{AiSettings, LlmView};

/// The settings in force for one message, with the level each came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Effective {
    pub auto_reply: bool,
    pub threshold: f32,
    pub llm: bool,
    pub llm_auto_send: bool,
    pub system_prompt: String,
    pub reply_language: String,
    /// Which level set each field: "default", "store", "product" or "customer".
    pub from: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Store,
    Product,
    Customer,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Store => "store",
            Level::Product => "product",
            Level::Customer => "customer",
        }
    }
}

/// The key of a customer's settings: shop and username, as the messages carry them.
pub fn customer_key(shop: &str, username: &str) -> String {
    format!("{}/{}", shop.trim(), username.trim().to_lowercase())
}

/// A customer key as a caller writes it (`<shop>/<username>`), in the form messages use.
pub fn parse_customer_key(key: &str) -> Result<String> {
    match key.split_once('/') {
        Some((shop, user)) if !shop.trim().is_empty() && !user.trim().is_empty() => {
            Ok(customer_key(shop, user))
        }
        _ => Err(Error::invalid(
            "a customer is named <shop>/<buyer username>, e.g. tokoku/budi_88",
        )),
    }
}

fn check(s: &AiSettings) -> Result<AiSettings> {
    let mut s = s.clone();
    if let Some(t) = s.threshold {
        if !(0.0..=1.0).contains(&t) || t.is_nan() {
            return Err(Error::invalid("threshold must be between 0 and 1"));
        }
    }
    if let Some(p) = &s.system_prompt {
        s.system_prompt = Some(fields::text("system_prompt", p, 4000, false)?);
    }
    if let Some(l) = &s.reply_language {
        let l = fields::one_line("reply_language", l, 10, true)?.to_lowercase();
        s.reply_language = Some(if l == "auto" {
            l
        } else {
            super::lang::code("reply_language", &l).map_err(|_| {
                Error::invalid(
                    "reply_language is \"auto\" or a language code such as \"id\", \"en\", \"vi\"",
                )
            })?
        });
    }
    Ok(s)
}

pub fn get(conn: &Connection, level: Level, key: &str) -> Result<AiSettings> {
    let text: Option<String> = conn
        .query_row(
            "SELECT settings FROM ai_settings WHERE scope = ?1 AND scope_key = ?2",
            params![level.as_str(), key],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Replaces the settings of one level (an empty object clears it).
pub fn put(
    conn: &Connection,
    level: Level,
    key: &str,
    settings: &AiSettings,
) -> Result<AiSettings> {
    let s = check(settings)?;
    if level == Level::Product {
        let id: i64 = key
            .parse()
            .map_err(|_| Error::invalid("product settings need a product id"))?;
        let exists: Option<i64> = conn
            .query_row("SELECT id FROM products WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(Error::not_found(format!("product {id}")));
        }
    }
    if s == AiSettings::default() {
        conn.execute(
            "DELETE FROM ai_settings WHERE scope = ?1 AND scope_key = ?2",
            params![level.as_str(), key],
        )?;
    } else {
        conn.execute(
            "INSERT INTO ai_settings (scope, scope_key, settings, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (scope, scope_key) DO UPDATE SET settings = excluded.settings,
                 updated_at = excluded.updated_at",
            params![
                level.as_str(),
                key,
                serde_json::to_string(&s).unwrap_or_default(),
                now_ms()
            ],
        )?;
    }
    Ok(s)
}

/// The settings in force for a message about `product` from `customer` (shop/username key).
pub fn effective(
    conn: &Connection,
    product: Option<i64>,
    customer: Option<&str>,
) -> Result<Effective> {
    let mut levels = vec![("store", get(conn, Level::Store, "")?)];
    if let Some(p) = product {
        levels.push(("product", get(conn, Level::Product, &p.to_string())?));
    }
    if let Some(c) = customer {
        levels.push(("customer", get(conn, Level::Customer, c)?));
    }
    Ok(resolve(&levels))
}

impl Effective {
    /// The language a reply should be in: the one the settings fix, or with "auto" the one the
    /// buyer wrote in (`guessed`, "" when there was nothing to go on).
    pub fn reply_language<'a>(&'a self, guessed: &'a str) -> Option<&'a str> {
        if self.reply_language == "auto" {
            (!guessed.is_empty()).then_some(guessed)
        } else {
            Some(&self.reply_language)
        }
    }
}

/// Most specific wins: later levels in `levels` override earlier ones, field by field.
pub fn resolve(levels: &[(&str, AiSettings)]) -> Effective {
    let mut e = Effective {
        auto_reply: true,
        threshold: DEFAULT_THRESHOLD,
        llm: true,
        llm_auto_send: false,
        system_prompt: String::new(),
        reply_language: "auto".into(),
        from: [
            "auto_reply",
            "threshold",
            "llm",
            "llm_auto_send",
            "system_prompt",
            "reply_language",
        ]
        .iter()
        .map(|f| (f.to_string(), "default".to_string()))
        .collect(),
    };
    for (name, s) in levels {
        let mut set = |field: &str| {
            e_from(&mut e.from, field, name);
        };
        if let Some(v) = s.auto_reply {
            e.auto_reply = v;
            set("auto_reply");
        }
        if let Some(v) = s.threshold {
            e.threshold = v;
            set("threshold");
        }
        if let Some(v) = s.llm {
            e.llm = v;
            set("llm");
        }
        if let Some(v) = s.llm_auto_send {
            e.llm_auto_send = v;
            set("llm_auto_send");
        }
        if let Some(v) = &s.system_prompt {
            e.system_prompt = v.clone();
            set("system_prompt");
        }
        if let Some(v) = &s.reply_language {
            e.reply_language = v.clone();
            set("reply_language");
        }
    }
    e
}

fn e_from(from: &mut std::collections::BTreeMap<String, String>, field: &str, level: &str) {
    from.insert(field.to_string(), level.to_string());
}

/// The language model endpoint, store-wide. The key is kept sealed apart from this.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LlmEndpoint {
    /// An OpenAI-compatible base URL, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1.
    pub base_url: String,
    pub model: String,
    /// Seconds per attempt.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    20
}

pub fn get_endpoint(conn: &Connection) -> Result<(LlmEndpoint, Option<Vec<u8>>)> {
    let endpoint: Option<Vec<u8>> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'llm_endpoint'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let key: Option<Vec<u8>> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'llm_api_key'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let endpoint = endpoint
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    Ok((endpoint, key))
}

pub fn check_endpoint(e: &LlmEndpoint) -> Result<LlmEndpoint> {
    let base_url = fields::one_line("base_url", &e.base_url, 500, false)?;
    let http = base_url.starts_with("http://") || base_url.starts_with("https://");
    if !base_url.is_empty() && !http {
        return Err(Error::invalid(
            "base_url must start with http:// or https://",
        ));
    }
    let model = fields::one_line("model", &e.model, 200, false)?;
    if !base_url.is_empty() && model.is_empty() {
        return Err(Error::invalid("model must be set together with base_url"));
    }
    if e.timeout_secs == 0 || e.timeout_secs > 300 {
        return Err(Error::invalid("timeout_secs must be between 1 and 300"));
    }
    Ok(LlmEndpoint {
        base_url,
        model,
        timeout_secs: e.timeout_secs,
    })
}

pub fn put_endpoint(
    conn: &Connection,
    e: &LlmEndpoint,
    sealed_key: Option<Option<Vec<u8>>>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('llm_endpoint', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [serde_json::to_vec(e).unwrap_or_default()],
    )?;
    match sealed_key {
        Some(Some(k)) => {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('llm_api_key', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [k],
            )?;
        }
        Some(None) => {
            conn.execute("DELETE FROM meta WHERE key = 'llm_api_key'", [])?;
        }
        None => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_level_wins_field_by_field() {
        let store = AiSettings {
            auto_reply: Some(true),
            threshold: Some(0.9),
            llm: Some(true),
            ..Default::default()
        };
        let product = AiSettings {
            threshold: Some(0.7),
            llm: Some(false),
            ..Default::default()
        };
        let customer = AiSettings {
            auto_reply: Some(false),
            ..Default::default()
        };
        let e = resolve(&[
            ("store", store.clone()),
            ("product", product),
            ("customer", customer),
        ]);
        assert!(!e.auto_reply);
        assert_eq!(e.threshold, 0.7);
        assert!(!e.llm);
        assert_eq!(e.from["auto_reply"], "customer");
        assert_eq!(e.from["threshold"], "product");
        assert_eq!(e.from["reply_language"], "default");
        let e = resolve(&[("store", store)]);
        assert!(e.auto_reply);
        assert_eq!(e.threshold, 0.9);
    }

    #[test]
    fn bad_settings_are_refused() {
        for bad in [
            AiSettings {
                threshold: Some(1.5),
                ..Default::default()
            },
            AiSettings {
                threshold: Some(f32::NAN),
                ..Default::default()
            },
            AiSettings {
                reply_language: Some("bahasa indonesia!".into()),
                ..Default::default()
            },
        ] {
            assert!(check(&bad).is_err(), "{bad:?}");
        }
        let ok = check(&AiSettings {
            reply_language: Some(" ID ".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.reply_language.as_deref(), Some("id"));
    }
}
