//! For the few tests that open the engine in this process rather than through the `auto`
//! binary (the Open Platform road's outbox and intake, which no HTTP route drives alone).

use std::path::Path;

use auto_engine::catalog::{NewProduct, StockInput};
use auto_engine::config::{Config, KeyStore};
use auto_engine::Engine;
use serde_json::json;

/// An engine on `dir` with one voucher product (SKU `STEAM-60K`, Indonesian) holding `keys`.
pub fn voucher_engine(dir: &Path, keys: &[&str]) -> Engine {
    let mut config = Config::default();
    config.secrets.key_store = KeyStore::File;
    let e = Engine::open(dir, config, false).unwrap();
    let p: NewProduct = serde_json::from_value(json!({
        "name": "Steam 60K", "sku": "STEAM-60K", "kind": "voucher", "price": 60000,
        "currency": "IDR", "language": "id"
    }))
    .unwrap();
    let id = e.create_product(p).unwrap().id;
    e.import_stock(id, StockInput::Text(keys.join("\n")))
        .unwrap();
    e
}
