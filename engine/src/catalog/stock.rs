//! Stock of unique items: importing (encrypted, never twice) and counting. Allocation to
//! orders lives in `delivery`, the only place that takes items out of stock.

use super::import::{parse_stock, StockInput};
use super::products::get_product;
use crate::secrets::Vault;
use crate::store::now_ms;
use crate::{Error, Result};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::HashSet;
use utoipa::ToSchema;

/// Stock counts of one product; never the secrets themselves.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StockCounts {
    pub available: i64,
    pub allocated: i64,
    pub total: i64,
    /// True when a stock product is at or below its low-stock threshold.
    pub low_stock: bool,
}

/// A row of an import that was skipped, and why (never the secret itself).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct LineIssue {
    pub line: usize,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    /// `reason` is `in_file` (seen earlier in the same import) or `in_stock` (imported before).
    pub duplicates: Vec<LineIssue>,
    pub rejected: Vec<LineIssue>,
    pub available: i64,
}

/// Counts a product's stock.
pub fn stock_counts(conn: &Connection, product_id: i64) -> Result<StockCounts> {
    let (available, allocated, threshold, kind): (i64, i64, i64, String) = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM stock_items WHERE product_id = ?1 AND status = 'available'),
                    (SELECT count(*) FROM stock_items WHERE product_id = ?1 AND (status = 'allocated' OR status = 'delivered' OR status = 'revealed')),
                    low_stock_threshold, kind
             FROM products WHERE id = ?1",
        )?
        .query_row([product_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let has_stock = super::Kind::parse(&kind).is_some_and(|k| k.has_stock());
    Ok(StockCounts {
        available,
        allocated,
        total: available + allocated,
        low_stock: has_stock && available <= threshold,
    })
}

/// Imports stock into a product inside the caller's transaction. Duplicates (within the
/// import, or of anything ever imported) are reported and skipped, so importing the same file
/// twice adds nothing the second time.
pub fn import_stock(
    conn: &Connection,
    vault: &Vault,
    product_id: i64,
    input: StockInput,
) -> Result<ImportReport> {
    let product = get_product(conn, product_id)?;
    if !product.kind.has_stock() {
        return Err(Error::invalid(format!(
            "a {} product has no stock; its content is delivered to every buyer",
            product.kind.as_str()
        )));
    }
    let (items, rejected) = parse_stock(product.kind, input)?;
    crate::delivery::parts::check_items_fit(conn, &items)?;
    let mut seen = HashSet::with_capacity(items.len());
    let mut duplicates = Vec::new();
    let mut imported = 0;
    let now = now_ms();
    let mut insert = conn.prepare_cached(
        "INSERT INTO stock_items (product_id, fingerprint, secret, imported_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (fingerprint) DO NOTHING",
    )?;
    for (line, secret) in items {
        let fingerprint = vault.fingerprint(&secret.identity(product_id));
        if !seen.insert(fingerprint.clone()) {
            duplicates.push(LineIssue {
                line,
                reason: "in_file".into(),
            });
            continue;
        }
        let sealed = vault.seal(&secret.to_plain());
        if insert.execute(params![product_id, fingerprint, sealed, now])? == 0 {
            duplicates.push(LineIssue {
                line,
                reason: "in_stock".into(),
            });
        } else {
            imported += 1;
        }
    }
    let available = stock_counts(conn, product_id)?.available;
    Ok(ImportReport {
        imported,
        duplicates,
        rejected,
        available,
    })
}
