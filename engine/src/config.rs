//! One typed config, loaded from the data dir's `config.toml`, with `AUTO_*` env overrides.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The default port of `auto serve`.
pub const DEFAULT_PORT: u16 = 47821;

/// Written on first start so a seller can see every setting and its default.
const DEFAULT_FILE: &str = r#"# AUTO configuration. Every setting is optional; the values shown are the defaults.
# Environment variables override this file (the name is given next to each setting).

[server]
# Port of the local API and UI on 127.0.0.1 (AUTO_PORT).
# port = 47821
# Largest request body accepted, in bytes: stock imports and order batches (AUTO_MAX_BODY_BYTES).
# max_body_bytes = 5242880

[delivery]
# Seconds before a delivery the extension fetched but did not confirm is offered again
# (AUTO_OFFER_TIMEOUT_SECS).
# offer_timeout_secs = 120
# Default low-stock warning level for new products.
# low_stock_threshold = 5

[secrets]
# Where the key that encrypts stock is kept: "auto" (the OS keyring, or a 0600 key file in
# the data dir when there is no keyring), "keyring" or "file" (AUTO_KEY_STORE).
# key_store = "auto"

[assistant]
# Where the set-up put the embedding model and ONNX Runtime (AUTO_MODELS_DIR); default: the
# platform's cache folder for AUTO, e.g. ~/.cache/auto.
# models_dir = "/home/me/.cache/auto"
# The embedding model at first start; later the seller's choice in the app wins
# (AUTO_EMBEDDING_MODEL). all-MiniLM-L6-v2-int8 is installed by the set-up and works offline.
# model = "all-MiniLM-L6-v2-int8"
# The model takes about 60 MB while loaded. It is loaded when there is an FAQ to search and
# let go after this many seconds without a question (the next one waits about 0.3 s for it);
# 0 keeps it loaded (AUTO_RELEASE_MODEL_AFTER_SECS).
# release_model_after_secs = 600

[shopee]
# Seconds between two syncs of the shops connected through the Shopee Open Platform API
# (orders, deliveries, buyers' messages); 0 syncs only when asked, and once right after a shop
# is connected (AUTO_SHOPEE_POLL_SECS).
# poll_interval_secs = 60

[demo]
# Load the demo catalog the first time AUTO starts with an empty data dir.
# load_on_first_start = true
"#;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub delivery: DeliveryConfig,
    pub secrets: SecretsConfig,
    pub assistant: AssistantConfig,
    pub shopee: ShopeeConfig,
    pub demo: DemoConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShopeeConfig {
    pub poll_interval_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssistantConfig {
    pub models_dir: PathBuf,
    pub model: String,
    pub release_model_after_secs: u64,
}

/// The platform's cache folder for AUTO, where the set-up installs the model.
pub fn default_models_dir() -> PathBuf {
    directories::ProjectDirs::from("id", "auto", "AUTO")
        .map(|p| p.cache_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".auto-cache"))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub port: u16,
    pub max_body_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryConfig {
    pub offer_timeout_secs: u64,
    pub low_stock_threshold: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStore {
    Auto,
    Keyring,
    File,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsConfig {
    pub key_store: KeyStore,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoConfig {
    pub load_on_first_start: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: ServerConfig {
                port: DEFAULT_PORT,
                max_body_bytes: 5 * 1024 * 1024,
            },
            delivery: DeliveryConfig {
                offer_timeout_secs: 120,
                low_stock_threshold: 5,
            },
            secrets: SecretsConfig {
                key_store: KeyStore::Auto,
            },
            assistant: AssistantConfig {
                models_dir: default_models_dir(),
                model: crate::assistant::embed::BUILTIN_MODEL.to_string(),
                release_model_after_secs: 600,
            },
            shopee: ShopeeConfig {
                poll_interval_secs: 60,
            },
            demo: DemoConfig {
                load_on_first_start: true,
            },
        }
    }
}
impl Default for ServerConfig {
    fn default() -> Self {
        Config::default().server
    }
}
impl Default for DeliveryConfig {
    fn default() -> Self {
        Config::default().delivery
    }
}
impl Default for SecretsConfig {
    fn default() -> Self {
        Config::default().secrets
    }
}
impl Default for AssistantConfig {
    fn default() -> Self {
        Config::default().assistant
    }
}
impl Default for ShopeeConfig {
    fn default() -> Self {
        Config::default().shopee
    }
}
impl Default for DemoConfig {
    fn default() -> Self {
        Config::default().demo
    }
}

impl Config {
    /// Reads `config.toml` in `data_dir` (writing the commented defaults when it is missing),
    /// then applies environment overrides.
    pub fn load(data_dir: &Path) -> anyhow::Result<Config> {
        let path = data_dir.join("config.toml");
        if !path.exists() {
            std::fs::write(&path, DEFAULT_FILE)?;
        }
        let text = std::fs::read_to_string(&path)?;
        let mut config: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not valid: {e}", path.display()))?;
        config.apply_env()?;
        Ok(config)
    }

    /// The built-in defaults with environment overrides, for commands that use no data dir.
    pub fn default_with_env() -> anyhow::Result<Config> {
        let mut config = Config::default();
        config.apply_env()?;
        Ok(config)
    }

    fn apply_env(&mut self) -> anyhow::Result<()> {
        fn var<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>> {
            match std::env::var(name) {
                Ok(v) => {
                    v.trim().parse().map(Some).map_err(|_| {
                        anyhow::anyhow!("environment variable {name}={v} is not valid")
                    })
                }
                Err(_) => Ok(None),
            }
        }
        if let Some(p) = var("AUTO_PORT")? {
            self.server.port = p;
        }
        if let Some(b) = var("AUTO_MAX_BODY_BYTES")? {
            self.server.max_body_bytes = b;
        }
        if let Some(t) = var("AUTO_OFFER_TIMEOUT_SECS")? {
            self.delivery.offer_timeout_secs = t;
        }
        if let Some(d) = var::<PathBuf>("AUTO_MODELS_DIR")? {
            self.assistant.models_dir = d;
        }
        if let Ok(m) = std::env::var("AUTO_EMBEDDING_MODEL") {
            self.assistant.model = m;
        }
        if let Some(s) = var("AUTO_SHOPEE_POLL_SECS")? {
            self.shopee.poll_interval_secs = s;
        }
        if let Some(s) = var("AUTO_RELEASE_MODEL_AFTER_SECS")? {
            self.assistant.release_model_after_secs = s;
        }
        if let Ok(store) = std::env::var("AUTO_KEY_STORE") {
            self.secrets.key_store = match store.as_str() {
                "auto" => KeyStore::Auto,
                "keyring" => KeyStore::Keyring,
                "file" => KeyStore::File,
                other => anyhow::bail!("AUTO_KEY_STORE={other}: use auto, keyring or file"),
            };
        }
        Ok(())
    }
}

/// The data dir: `--data-dir` / `AUTO_DATA_DIR` when given, else the platform's default.
pub fn resolve_data_dir(explicit: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let dir = match explicit {
        Some(d) => d,
        None => directories::ProjectDirs::from("id", "auto", "AUTO")
            .map(|p| p.data_dir().to_path_buf())
            .ok_or_else(|| anyhow::anyhow!("no home directory; pass --data-dir"))?,
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create data dir {}: {e}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_defaults_parse_to_the_built_in_defaults() {
        let c: Config = toml::from_str(DEFAULT_FILE).unwrap();
        assert_eq!(c.server.port, DEFAULT_PORT);
        assert_eq!(c.delivery.offer_timeout_secs, 120);
        let uncommented = DEFAULT_FILE.replace("# port", "port");
        let c: Config = toml::from_str(&uncommented).unwrap();
        assert_eq!(c.server.port, DEFAULT_PORT);
    }
}
