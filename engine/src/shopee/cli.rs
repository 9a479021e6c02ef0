//! `auto shopee …`: the Open Platform road from the command line, on the data dir directly
//! (beside a running server, as `auto token` does).

use super::{auth, store, sync};
use crate::host::SERVER_ADDR_FILE;
use crate::Engine;
use anyhow::Context;
use std::path::Path;
use std::sync::Arc;

#[derive(clap::Subcommand)]
pub enum ShopeeCommand {
    /// Set the Open Platform app: its partner id and key, and the host ("live", "test" or a URL).
    App {
        #[arg(long)]
        partner_id: i64,
        /// The partner key; better given through the environment than on a command line.
        #[arg(long, env = "AUTO_SHOPEE_PARTNER_KEY", hide_env_values = true)]
        partner_key: String,
        #[arg(long, default_value = "live")]
        base_url: String,
    },
    /// Without arguments: print the link that authorizes a shop. With the URL Shopee sent you
    /// to (or --code and --shop-id): connect that shop.
    Connect {
        url: Option<String>,
        #[arg(long, requires = "shop_id")]
        code: Option<String>,
        #[arg(long, requires = "code")]
        shop_id: Option<String>,
    },
    /// The app and the connected shops: token expiry, last sync, errors.
    Status,
    /// Sync every connected shop once now (orders, deliveries, buyers' messages).
    Sync,
}

pub fn run(data_dir: &Path, engine: Engine, command: ShopeeCommand) -> anyhow::Result<()> {
    let engine = Arc::new(engine);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match command {
        ShopeeCommand::App {
            partner_id,
            partner_key,
            base_url,
        } => {
            let view = auth::set_app(&engine, partner_id, &partner_key, &base_url)?;
            println!(
                "Shopee app {} set, host {}",
                view.partner_id.unwrap_or_default(),
                view.base_url.unwrap_or_default()
            );
        }
        ShopeeCommand::Connect {
            url: None,
            code: None,
            ..
        } => {
            let addr = std::fs::read_to_string(data_dir.join(SERVER_ADDR_FILE))
                .ok()
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| format!("127.0.0.1:{}", engine.config.server.port));
            let link = auth::authorize_url(&engine, &format!("http://{addr}/shopee/callback"))?;
            println!("{link}");
            eprintln!(
                "open it in a browser and log in as the shop; AUTO (running at {addr}) connects it when Shopee sends you back. \
                 If Shopee sends you elsewhere, run `auto shopee connect '<that address>'`."
            );
        }
        ShopeeCommand::Connect { url, code, shop_id } => {
            let (code, shop_id) = match (url, code, shop_id) {
                (Some(url), _, _) => {
                    let l = auth::parse_landing(&url)?;
                    (l.code, l.shop_id)
                }
                (None, Some(code), Some(shop)) => {
                    (auth::check_code(&code)?, auth::check_shop_id(&shop)?)
                }
                _ => anyhow::bail!("give the URL Shopee sent you to, or --code and --shop-id"),
            };
            let shop = runtime
                .block_on(auth::connect(engine.clone(), code, shop_id))
                .context("the shop was not connected")?;
            println!(
                "connected shop {}{}",
                shop.shop_id,
                shop.name.map(|n| format!(" ({n})")).unwrap_or_default()
            );
        }
        ShopeeCommand::Status => {
            let app = engine.db.read(store::app_view)?;
            match (app.partner_id, app.base_url) {
                (Some(id), Some(url)) => println!("app {id} at {url}"),
                _ => println!("no Open Platform app set (auto shopee app --partner-id … )"),
            }
            for s in engine.db.read(store::list_shops)? {
                println!(
                    "shop {}{}: token until {}, authorization until {}{}; last sync {}; {} orders pulled{}",
                    s.shop_id,
                    s.name.map(|n| format!(" ({n})")).unwrap_or_default(),
                    s.access_expires_at.format("%Y-%m-%d %H:%M"),
                    s.refresh_expires_at.format("%Y-%m-%d"),
                    if s.reauthorize_soon { " — AUTHORIZE AGAIN SOON" } else { "" },
                    s.last_sync_at
                        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                        .unwrap_or_else(|| "never".into()),
                    s.orders_pulled,
                    s.last_error.map(|e| format!("; last error: {e}")).unwrap_or_default(),
                );
            }
        }
        ShopeeCommand::Sync => {
            let report = runtime.block_on(sync::sync_all(engine.clone()))?.report;
            for s in &report.shops {
                println!(
                    "shop {}: {} orders seen ({} new, {} refused by intake), {} deliveries sent, {} refused by chat, {} settled, {} messages, {} replies sent, {} calls{}",
                    s.shop_id,
                    s.orders_seen,
                    s.orders_new,
                    s.orders_rejected,
                    s.deliveries_sent,
                    s.refused,
                    s.settled,
                    s.messages,
                    s.replies_sent,
                    s.calls,
                    s.error.as_ref().map(|e| format!("; stopped: {e}")).unwrap_or_default(),
                );
            }
            if report.shops.is_empty() {
                println!("no shop is connected (auto shopee connect)");
            }
        }
    }
    engine.close()?;
    Ok(())
}
