//! Stock of unique items: importing (encrypted, never twice) and counting. Allocation to
//! orders lives in `delivery`, the only place that takes items out of stock.

use super::import::{parse_stock, StockInput};
use super::products::get_product;
use crate::secrets::Vault;
use crate::store::now_ms;
use crate::{Error, Result};
use chrono::DateTime;
use rusqlite::{params, Connection};
use std::collections::HashSet;

/// Stock counts, an import's report and its skipped rows (shared with the UI).
pub use auto_api::{ImportReport, LineIssue, StatusCounts, StockCounts};

/// Longest batch label, in characters.
pub const MAX_BATCH_CHARS: usize = 64;

/// A batch label as stored: trimmed, at most 64 characters, no control characters. The error
/// says what is wrong (the caller picks the status).
pub fn batch_label(raw: &str) -> std::result::Result<String, String> {
    // Checked before trimming: a trailing line break is a pasting mistake worth saying.
    if raw.chars().any(char::is_control) {
        return Err("a batch label cannot contain line breaks or control characters".into());
    }
    let label = raw.trim();
    if label.chars().count() > MAX_BATCH_CHARS {
        return Err(format!(
            "a batch label has at most {MAX_BATCH_CHARS} characters"
        ));
    }
    Ok(label.to_string())
}

/// Counts a product's stock.
pub fn stock_counts(conn: &Connection, product_id: i64) -> Result<StockCounts> {
    let (threshold, kind, since): (i64, String, Option<i64>) = conn
        .prepare_cached(
            "SELECT low_stock_threshold, kind, low_stock_since FROM products WHERE id = ?1",
        )?
        .query_row([product_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let mut by_status = StatusCounts::default();
    let mut stmt = conn.prepare_cached(
        "SELECT status, count(*) FROM stock_items WHERE product_id = ?1 GROUP BY status",
    )?;
    let mut rows = stmt.query([product_id])?;
    while let Some(r) = rows.next()? {
        let n: i64 = r.get(1)?;
        match r.get_ref(0)?.as_str().unwrap_or("") {
            "available" => by_status.available = n,
            "allocated" => by_status.allocated = n,
            "delivered" => by_status.delivered = n,
            "revealed" => by_status.revealed = n,
            "bad" => by_status.bad = n,
            _ => by_status.withdrawn += n,
        }
    }
    let s = &by_status;
    let has_stock = super::Kind::parse(&kind).is_some_and(|k| k.has_stock());
    Ok(StockCounts {
        available: s.available,
        allocated: s.allocated + s.delivered + s.revealed,
        total: s.available + s.allocated + s.delivered + s.revealed + s.bad + s.withdrawn,
        low_stock: has_stock && s.available <= threshold,
        low_stock_since: since.and_then(DateTime::from_timestamp_millis),
        waiting_orders: if has_stock {
            super::low_stock::waiting_orders(conn, product_id)?
        } else {
            0
        },
        by_status,
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
    batch: &str,
) -> Result<ImportReport> {
    let batch = batch_label(batch).map_err(Error::invalid)?;
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
        "INSERT INTO stock_items (product_id, fingerprint, secret, imported_at, batch) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (fingerprint) DO NOTHING",
    )?;
    let mut existing =
        conn.prepare_cached("SELECT status FROM stock_items WHERE fingerprint = ?1")?;
    for (line, secret) in items {
        let fingerprint = vault.fingerprint(&secret.identity(product_id));
        if !seen.insert(fingerprint.clone()) {
            duplicates.push(LineIssue {
                line: line as u64,
                reason: "in_file".into(),
            });
            continue;
        }
        let sealed = vault.seal(&secret.to_plain());
        if insert.execute(params![product_id, fingerprint, sealed, now, batch])? == 0 {
            let status: String = existing.query_row([&fingerprint], |r| r.get(0))?;
            let reason = if status == "withdrawn" {
                "withdrawn"
            } else {
                "in_stock"
            };
            duplicates.push(LineIssue {
                line: line as u64,
                reason: reason.into(),
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
        batch,
        waiting_delivered: 0,
        still_waiting: 0,
    })
}
