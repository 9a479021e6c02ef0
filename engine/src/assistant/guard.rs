//! The last check before text can reach a buyer from the assistant: it must not contain a
//! stock item (a code, or an account's password). Stock is decrypted here only to compare and
//! is dropped at once; nothing is logged.

use crate::catalog::{Kind, StockSecret};
use crate::secrets::Vault;
use crate::Result;
use rusqlite::Connection;
use zeroize::Zeroize;

/// Shorter secrets match ordinary words too often to be worth refusing a reply over.
const MIN_SECRET_LEN: usize = 6;

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The name of the product whose stock item appears in `text`, if one does.
pub fn leaked_stock(conn: &Connection, vault: &Vault, text: &str) -> Result<Option<String>> {
    let plain_text = text.to_lowercase();
    let squashed_text = squash(text);
    let mut stmt = conn.prepare_cached(
        "SELECT s.secret, p.kind, p.name FROM stock_items s JOIN products p ON p.id = s.product_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let sealed: Vec<u8> = r.get(0)?;
        let kind = Kind::parse(&r.get::<_, String>(1)?).unwrap_or(Kind::LicenseKey);
        let Ok(mut plain) = vault.open(&sealed) else {
            continue;
        };
        let secret = StockSecret::from_plain(kind, &plain);
        plain.zeroize();
        let mut needle = match secret {
            StockSecret::Code(c) => c,
            StockSecret::Account { password, .. } => password,
        };
        let found = needle.chars().count() >= MIN_SECRET_LEN
            && (plain_text.contains(&needle.to_lowercase()) || {
                let sq = squash(&needle);
                sq.len() >= MIN_SECRET_LEN && squashed_text.contains(&sq)
            });
        needle.zeroize();
        if found {
            return Ok(Some(r.get(2)?));
        }
    }
    Ok(None)
}
