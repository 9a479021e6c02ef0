//! Which order got this key? A stock item found by its exact code through the keyed
//! fingerprint that import stores, so nothing is decrypted to search: a code's fingerprint is
//! the same in every product, an account's is per product (its username), so an account
//! search computes one fingerprint per account product.

use super::import::StockSecret;
use super::products::Kind;
use super::stock_list::{item_view, ITEM_COLUMNS, ITEM_FROM};
use crate::secrets::Vault;
use crate::{Error, Result};
use rusqlite::{Connection, OptionalExtension};

pub use auto_api::FoundItem;

/// Longest code that can be stock (import refuses longer items).
const MAX_CODE_CHARS: usize = 1000;

/// Finds the stock items whose code (or account username) is exactly `code`, in one product
/// or in all. Not found is an error that says so.
pub fn find_by_code(
    conn: &Connection,
    vault: &Vault,
    code: &str,
    product_id: Option<i64>,
) -> Result<Vec<FoundItem>> {
    // Import trims what it stores; a code pasted with a stray space still matches.
    let code = code.trim();
    if code.is_empty() {
        return Err(Error::invalid("type or paste the code to look for"));
    }
    if code.chars().count() > MAX_CODE_CHARS || code.chars().any(char::is_control) {
        return Err(Error::invalid(
            "a code is one line of at most 1000 characters",
        ));
    }
    let products: Vec<(i64, String, String, String)> = conn
        .prepare_cached(
            "SELECT id, name, sku, kind FROM products
             WHERE kind IN ('license_key', 'voucher', 'account') AND (?1 IS NULL OR id = ?1)
             ORDER BY id",
        )?
        .query_map([product_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(id) = product_id {
        if products.is_empty() {
            super::stock_list::stock_kind(conn, id)?;
        }
    }
    let as_code = vault.fingerprint(&StockSecret::Code(code.to_string()).identity(0));
    let mut fingerprints = vec![as_code];
    for (id, _, _, kind) in &products {
        if kind == Kind::Account.as_str() {
            let as_account = StockSecret::Account {
                username: code.to_string(),
                password: String::new(),
                notes: String::new(),
            };
            fingerprints.push(vault.fingerprint(&as_account.identity(*id)));
        }
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS}, s.product_id FROM {ITEM_FROM} WHERE s.fingerprint = ?1"
    ))?;
    let mut found = Vec::new();
    for fp in fingerprints {
        let hit = stmt
            .query_row([&fp], |r| {
                let pid: i64 = r.get(11)?;
                let product = products.iter().find(|p| p.0 == pid);
                let Some((_, name, sku, kind)) = product else {
                    return Ok(None);
                };
                let kind = Kind::parse(kind).unwrap_or(Kind::LicenseKey);
                Ok(Some((
                    pid,
                    name.clone(),
                    sku.clone(),
                    item_view(vault, kind, r),
                )))
            })
            .optional()?
            .flatten();
        if let Some((product_id, product_name, product_sku, item)) = hit {
            found.push(FoundItem {
                product_id,
                product_name,
                product_sku,
                item: item?,
            });
        }
    }
    if found.is_empty() {
        return Err(Error::not_found(match product_id {
            Some(id) => format!("a stock item with this code in product {id}"),
            None => "a stock item with this code".to_string(),
        }));
    }
    Ok(found)
}
