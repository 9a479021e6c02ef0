//! Unsold stock handed back to the seller: exported as TXT or CSV, or withdrawn from the pool
//! (exported and marked `withdrawn` in one transaction, never sold again). This and the
//! buyer's chat are the only ways a plain code leaves AUTO; nothing here is logged.

use super::import::StockSecret;
use super::stock::batch_label;
use super::stock_list::stock_kind;
use crate::secrets::Vault;
use crate::store::{now_ms, Held};
use crate::{Error, Result};
use chrono::DateTime;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};

/// Most items one withdrawal names by id.
pub const MAX_WITHDRAW_IDS: usize = 100_000;

/// An item in plain as exported to its seller, which unsold items to withdraw, and what a
/// withdrawal did (shared with the UI).
pub use auto_api::{PlainItem, WithdrawReport, WithdrawRequest};

/// The file formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One item per line; accounts as `username<TAB>password<TAB>notes`, which import reads
    /// back even when a password holds `|` or `:` (a secret never holds a tab).
    Txt,
    /// `code,batch,imported_at`; accounts `username,password,notes,batch,imported_at`.
    Csv,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s {
            "txt" => Some(ExportFormat::Txt),
            "csv" => Some(ExportFormat::Csv),
            _ => None,
        }
    }
}

/// Withdraws unsold items of a product in the caller's transaction: all named items must be
/// available in this product, or nothing is withdrawn.
pub fn withdraw(
    conn: &Connection,
    vault: &Vault,
    product_id: i64,
    req: &WithdrawRequest,
) -> Result<WithdrawReport> {
    let kind = stock_kind(conn, product_id)?;
    let rows: Vec<(i64, Vec<u8>, String, i64)> = match req {
        WithdrawRequest {
            ids: Some(ids),
            batch: None,
            count: None,
        } => by_ids(conn, product_id, ids)?,
        WithdrawRequest {
            ids: None,
            batch,
            count,
        } if batch.is_some() || count.is_some() => {
            let mut filter = String::from("product_id = ? AND status = 'available'");
            let mut args = vec![Value::Integer(product_id)];
            if let Some(b) = batch {
                filter += " AND batch = ?";
                args.push(Value::Text(batch_label(b).map_err(Error::invalid)?));
            }
            let count = count.unwrap_or(i64::MAX);
            if count < 1 {
                return Err(Error::invalid("count must be 1 or more"));
            }
            args.push(Value::Integer(count));
            conn.prepare(&format!(
                "SELECT id, secret, batch, imported_at FROM stock_items WHERE {filter}
                 ORDER BY id DESC LIMIT ?"
            ))?
            .query_map(params_from_iter(&args), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        }
        _ => {
            return Err(Error::invalid(
                "say which items to withdraw: ids, or a batch and/or a count (not both ways)",
            ))
        }
    };
    // Opened before anything changes: an item that cannot be read is not withdrawn unseen.
    let mut items = Vec::with_capacity(rows.len());
    for (id, sealed, batch, imported_at) in &rows {
        items.push(plain_item(
            *id,
            StockSecret::from_plain(kind, &vault.open(sealed)?),
            batch.clone(),
            *imported_at,
        ));
    }
    let now = now_ms();
    let mut held = Held::new(conn);
    for item in &items {
        let changed = held
            .get("UPDATE stock_items SET status = 'withdrawn', changed_at = ?2 WHERE id = ?1 AND status = 'available'")?
            .execute(params![item.id, now])?;
        if changed != 1 {
            return Err(Error::conflict(format!(
                "item {} was sold while it was being withdrawn; nothing was withdrawn, try again",
                item.id
            )));
        }
    }
    if !items.is_empty() {
        super::low_stock::note_taken(&mut held, product_id)?;
    }
    items.sort_by_key(|i| i.id);
    Ok(WithdrawReport {
        withdrawn: items.len() as u64,
        items,
        available: super::stock::stock_counts(conn, product_id)?.available,
    })
}

type SealedRow = (i64, Vec<u8>, String, i64);

fn by_ids(conn: &Connection, product_id: i64, ids: &[i64]) -> Result<Vec<SealedRow>> {
    if ids.is_empty() {
        return Err(Error::invalid("ids is empty: name at least one item"));
    }
    if ids.len() > MAX_WITHDRAW_IDS {
        return Err(Error::invalid(format!(
            "one withdrawal names at most {MAX_WITHDRAW_IDS} items"
        )));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, secret, batch, imported_at, product_id, status FROM stock_items WHERE id = ?1",
    )?;
    let mut rows = Vec::with_capacity(ids.len());
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for &id in ids {
        if !seen.insert(id) {
            continue;
        }
        let row = stmt.query_row([id], |r| {
            Ok((
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        });
        match row {
            Ok((row, pid, _)) if pid != product_id => {
                return Err(Error::invalid(format!(
                    "item {} belongs to another product; nothing was withdrawn",
                    row.0
                )))
            }
            Ok((row, _, status)) if status != "available" => {
                return Err(Error::conflict(format!(
                    "item {} is {status}, not available: only unsold items can be withdrawn; nothing was withdrawn",
                    row.0
                )))
            }
            Ok((row, _, _)) => rows.push(row),
            Err(rusqlite::Error::QueryReturnedNoRows) => {
                return Err(Error::not_found(format!(
                    "stock item {id} (nothing was withdrawn)"
                )))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(rows)
}

fn plain_item(id: i64, secret: StockSecret, batch: String, imported_at: i64) -> PlainItem {
    let imported_at = DateTime::from_timestamp_millis(imported_at).unwrap_or_default();
    match secret {
        StockSecret::Code(code) => PlainItem {
            id,
            code: Some(code),
            username: None,
            password: None,
            notes: None,
            batch,
            imported_at,
        },
        StockSecret::Account {
            username,
            password,
            notes,
        } => PlainItem {
            id,
            code: None,
            username: Some(username),
            password: Some(password),
            notes: Some(notes),
            batch,
            imported_at,
        },
    }
}

/// Items of a product in a status (available: unsold; withdrawn: handed back before), in
/// plain, oldest first, optionally of one batch.
pub fn plain_items(
    conn: &Connection,
    vault: &Vault,
    product_id: i64,
    status: &str,
    batch: Option<&str>,
) -> Result<Vec<PlainItem>> {
    if status != "available" && status != "withdrawn" {
        return Err(Error::invalid(
            "only unsold items are exported: status is available or withdrawn",
        ));
    }
    let kind = stock_kind(conn, product_id)?;
    let batch = batch.map(batch_label).transpose().map_err(Error::invalid)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, secret, batch, imported_at FROM stock_items
         WHERE product_id = ?1 AND status = ?2 AND (?3 IS NULL OR batch = ?3) ORDER BY id",
    )?;
    let mut rows = stmt.query(params![product_id, status, batch])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let sealed: Vec<u8> = r.get(1)?;
        out.push(plain_item(
            r.get(0)?,
            StockSecret::from_plain(kind, &vault.open(&sealed)?),
            r.get(2)?,
            r.get(3)?,
        ));
    }
    Ok(out)
}

/// Writes items as a TXT or CSV file.
pub fn render(items: &[PlainItem], format: ExportFormat) -> Result<String> {
    let accounts = items.iter().any(|i| i.username.is_some());
    match format {
        ExportFormat::Txt => {
            let mut out = String::new();
            for i in items {
                match &i.code {
                    Some(code) => out += code,
                    None => {
                        out += i.username.as_deref().unwrap_or("");
                        out.push('\t');
                        out += i.password.as_deref().unwrap_or("");
                        let notes = i.notes.as_deref().unwrap_or("");
                        if !notes.is_empty() {
                            out.push('\t');
                            out += notes;
                        }
                    }
                }
                out.push('\n');
            }
            Ok(out)
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let io = |e: csv::Error| Error::Io(std::io::Error::other(e.to_string()));
            if accounts {
                w.write_record(["username", "password", "notes", "batch", "imported_at"])
                    .map_err(io)?;
            } else {
                w.write_record(["code", "batch", "imported_at"])
                    .map_err(io)?;
            }
            for i in items {
                let at = i.imported_at.to_rfc3339();
                if accounts {
                    w.write_record([
                        i.username.as_deref().unwrap_or(""),
                        i.password.as_deref().unwrap_or(""),
                        i.notes.as_deref().unwrap_or(""),
                        &i.batch,
                        &at,
                    ])
                    .map_err(io)?;
                } else {
                    w.write_record([i.code.as_deref().unwrap_or(""), &i.batch, &at])
                        .map_err(io)?;
                }
            }
            let bytes = w
                .into_inner()
                .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
            String::from_utf8(bytes).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{parse_stock, Kind, StockInput};

    fn item(code: &str) -> PlainItem {
        plain_item(1, StockSecret::Code(code.into()), "b1".into(), 0)
    }

    #[test]
    fn exports_read_back_as_the_same_stock() {
        let codes = [item("A-1"), item("B,2"), item("C\"3")];
        for format in [ExportFormat::Txt, ExportFormat::Csv] {
            let text = render(&codes, format).unwrap();
            let input = match format {
                ExportFormat::Txt => StockInput::Text(text),
                ExportFormat::Csv => StockInput::Csv(text),
            };
            let (items, rejected) = parse_stock(Kind::LicenseKey, input).unwrap();
            assert!(rejected.is_empty(), "{rejected:?}");
            let back: Vec<String> = items.iter().map(|(_, s)| s.to_plain()).collect();
            assert_eq!(back, ["A-1", "B,2", "C\"3"]);
        }
        let account = plain_item(
            2,
            StockSecret::Account {
                username: "u@x.id".into(),
                password: "p,w|x:y".into(),
                notes: "PIN 1".into(),
            },
            String::new(),
            0,
        );
        for format in [ExportFormat::Txt, ExportFormat::Csv] {
            let text = render(std::slice::from_ref(&account), format).unwrap();
            let input = match format {
                ExportFormat::Txt => StockInput::Text(text),
                ExportFormat::Csv => StockInput::Csv(text),
            };
            let (items, _) = parse_stock(Kind::Account, input).unwrap();
            assert_eq!(
                items[0].1,
                StockSecret::Account {
                    username: "u@x.id".into(),
                    password: "p,w|x:y".into(),
                    notes: "PIN 1".into()
                }
            );
        }
    }
}
