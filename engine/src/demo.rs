//! The demo catalog (assets/demo/catalog.json), loaded on a first start so that a newcomer
//! sees real-looking products, stock and templates before adding their own.

use crate::catalog::{NewProduct, StockInput, StockItemInput};
use crate::{Engine, Result};
use rusqlite::OptionalExtension;
use serde::Deserialize;

const CATALOG: &str = include_str!("../../assets/demo/catalog.json");

#[derive(Deserialize)]
struct DemoCatalog {
    products: Vec<DemoProduct>,
}

#[derive(Deserialize)]
struct DemoProduct {
    product: NewProduct,
    #[serde(default)]
    stock: Vec<StockItemInput>,
}

/// Loads the demo catalog once, on a data dir that has never had products.
pub fn load_if_first_start(engine: &Engine) -> Result<()> {
    let first = engine.db.read(|c| {
        let loaded: Option<i64> = c
            .query_row("SELECT 1 FROM meta WHERE key = 'demo_loaded'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let products: i64 = c.query_row("SELECT count(*) FROM products", [], |r| r.get(0))?;
        Ok(loaded.is_none() && products == 0)
    })?;
    if !first {
        return Ok(());
    }
    let catalog: DemoCatalog =
        serde_json::from_str(CATALOG).expect("assets/demo/catalog.json is valid (tested)");
    for item in catalog.products {
        let product = engine.create_product(item.product)?;
        if !item.stock.is_empty() {
            engine.import_stock(product.id, StockInput::Items(item.stock))?;
        }
    }
    engine.db.write(|tx| {
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('demo_loaded', 1)",
            [],
        )?;
        Ok(())
    })?;
    tracing::info!("first start: demo catalog loaded");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_catalog_parses() {
        let c: super::DemoCatalog = serde_json::from_str(super::CATALOG).unwrap();
        assert!(c.products.len() >= 5);
    }
}
