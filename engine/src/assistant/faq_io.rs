//! FAQ import and export: CSV (one entry per row) and JSON (a list of entries). An import adds
//! the new entries in one transaction and reports, by line, the ones it skipped and why.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension};
use serde::Deserialize;
use utoipa::ToSchema;

use super::faq::{self, FaqEntry, FaqFilter, NewFaq};
use crate::{Error, Result};

/// The CSV columns, in the order export writes them. Only question and answer are required.
/// After them, `answer_<language>` columns ("answer_en") hold the answer's translations.
pub const CSV_HEADER: [&str; 7] = [
    "question", "answer", "variants", "product", "language", "tags", "enabled",
];
/// The prefix of a translation column.
const TRANSLATION_COLUMN: &str = "answer_";
/// Separates variants (and tags) inside one CSV cell.
const LIST_SEPARATOR: char = '|';
/// Most entries one import takes.
pub const MAX_IMPORT: usize = 20_000;

/// An entry in a JSON import: `product` may be an id or a SKU.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportEntry {
    pub question: String,
    #[serde(default)]
    pub variants: Vec<String>,
    pub answer: String,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub product: Option<serde_json::Value>,
    #[serde(default)]
    pub product_id: Option<i64>,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub translations: BTreeMap<String, String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    /// What a JSON export adds to an entry, taken and ignored so that an export imports as
    /// it is (the importing FAQ gives its own ids, counts and times).
    #[serde(default, rename = "id")]
    #[schema(ignore)]
    pub _id: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "hits")]
    #[schema(ignore)]
    pub _hits: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "created_at")]
    #[schema(ignore)]
    pub _created_at: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "updated_at")]
    #[schema(ignore)]
    pub _updated_at: Option<serde::de::IgnoredAny>,
}

pub enum FaqImport {
    Csv(String),
    Json(Vec<ImportEntry>),
}

pub use auto_api::{FaqImportReport, LineIssue};

/// What an import did, and the new entries' ids (for the search index).
pub struct Imported {
    pub report: FaqImportReport,
    pub entry_ids: Vec<i64>,
}

fn product_ref(conn: &Connection, value: &str) -> Result<Option<i64>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    // One indexed lookup per row: an import of thousands of rows must not load the catalog
    // (with its stock counts) for each.
    let id: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM products WHERE CAST(id AS TEXT) = ?1 OR sku = ?1 COLLATE NOCASE LIMIT 1",
        )?
        .query_row([v], |r| r.get(0))
        .optional()?;
    id.map(Some)
        .ok_or_else(|| Error::invalid(format!("product {v:?} does not exist (give its id or SKU)")))
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "y" | "ya" => Some(true),
        "0" | "false" | "no" | "n" | "tidak" => Some(false),
        _ => None,
    }
}

fn split_list(v: &str) -> Vec<String> {
    v.split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Rows of a CSV import as (line, entry) or (line, why not).
fn parse_csv(
    conn: &Connection,
    text: &str,
) -> Result<Vec<(usize, std::result::Result<NewFaq, String>)>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Line numbers are counted on \n; Windows files (CRLF) would otherwise be off by one.
    let text = text.replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid(format!("the CSV header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(q), Some(a)) = (col("question"), col("answer")) else {
        return Err(Error::invalid(format!(
            "the CSV needs a header with at least question and answer (columns: {})",
            CSV_HEADER.join(",")
        )));
    };
    // (column, language) of each translation column.
    let mut translation_columns: Vec<(usize, String)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if CSV_HEADER.contains(&h.as_str()) {
            continue;
        }
        let code = h
            .strip_prefix(TRANSLATION_COLUMN)
            .and_then(|c| super::lang::code("column", c).ok());
        match code {
            Some(code) if !translation_columns.iter().any(|(_, c)| *c == code) => {
                translation_columns.push((i, code))
            }
            Some(_) => {
                return Err(Error::invalid(format!(
                    "the CSV has the column {h:?} twice"
                )));
            }
            None => {
                return Err(Error::invalid(format!(
                    "unknown CSV column {h:?}; the columns are {} and answer_<language> \
                     (answer_en, answer_id, ...) for the answer in other languages",
                    CSV_HEADER.join(",")
                )))
            }
        }
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        // The line the row starts on (answers may span lines), as a spreadsheet shows it.
        let line = |pos: Option<&csv::Position>| pos.map_or(i + 2, |p| p.line() as usize);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.push((line(e.position()), Err(format!("cannot be read: {e}"))));
                continue;
            }
        };
        let line = line(record.position());
        if out.len() >= MAX_IMPORT {
            return Err(Error::invalid(format!(
                "an import takes at most {MAX_IMPORT} entries"
            )));
        }
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_string();
        let entry = (|| -> std::result::Result<NewFaq, String> {
            let enabled = parse_bool(&cell(col("enabled")))
                .ok_or_else(|| "enabled must be true or false".to_string())?;
            Ok(NewFaq {
                question: cell(Some(q)),
                answer: cell(Some(a)),
                variants: split_list(&cell(col("variants"))),
                product_id: product_ref(conn, &cell(col("product"))).map_err(|e| e.to_string())?,
                language: cell(col("language")),
                translations: translation_columns
                    .iter()
                    .map(|(c, code)| (code.clone(), cell(Some(*c))))
                    // An empty cell: this entry has no answer in that language.
                    .filter(|(_, text)| !text.trim().is_empty())
                    .collect(),
                tags: split_list(&cell(col("tags"))),
                enabled,
            })
        })();
        out.push((line, entry));
    }
    Ok(out)
}

fn from_json(
    conn: &Connection,
    items: Vec<ImportEntry>,
) -> Result<Vec<(usize, std::result::Result<NewFaq, String>)>> {
    if items.len() > MAX_IMPORT {
        return Err(Error::invalid(format!(
            "an import takes at most {MAX_IMPORT} entries"
        )));
    }
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let product = match (&e.product, e.product_id) {
                (_, Some(id)) => Ok(Some(id)),
                (Some(serde_json::Value::Number(n)), None) => product_ref(conn, &n.to_string()),
                (Some(serde_json::Value::String(s)), None) => product_ref(conn, s),
                (Some(serde_json::Value::Null) | None, None) => Ok(None),
                (Some(_), None) => Err(Error::invalid("product must be an id or a SKU")),
            };
            let entry = product.map_err(|e| e.to_string()).map(|product_id| NewFaq {
                question: e.question,
                variants: e.variants,
                answer: e.answer,
                product_id,
                language: e.language,
                translations: e.translations,
                tags: e.tags,
                enabled: e.enabled.unwrap_or(true),
            });
            (i + 1, entry)
        })
        .collect())
}

/// Imports inside the caller's transaction. Each entry is checked like one created through the
/// API; a bad one is reported and skipped, the others go in.
pub fn import(conn: &Connection, input: FaqImport) -> Result<Imported> {
    let rows = match input {
        FaqImport::Csv(text) => parse_csv(conn, &text)?,
        FaqImport::Json(items) => from_json(conn, items)?,
    };
    let mut report = FaqImportReport::default();
    let mut entry_ids = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (line, entry) in rows {
        let line = line as u64;
        let entry = match entry {
            Ok(e) => e,
            Err(reason) => {
                report.rejected.push(LineIssue { line, reason });
                continue;
            }
        };
        let key = (faq::fold(&entry.question), entry.product_id);
        if !seen.insert(key) {
            report.duplicates.push(LineIssue {
                line,
                reason: "in_file".into(),
            });
            continue;
        }
        if faq::find_same(conn, &entry.question, entry.product_id)?.is_some() {
            report.duplicates.push(LineIssue {
                line,
                reason: "in_faq".into(),
            });
            continue;
        }
        match faq::create(conn, entry) {
            Ok((id, _)) => {
                report.created += 1;
                entry_ids.push(id);
            }
            Err(Error::Invalid(reason)) => report.rejected.push(LineIssue { line, reason }),
            Err(e) => return Err(e),
        }
    }
    Ok(Imported { report, entry_ids })
}

/// Every entry, in id order.
pub fn all_entries(conn: &Connection) -> Result<Vec<FaqEntry>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = faq::list(
            conn,
            &FaqFilter {
                limit: Some(500),
                cursor,
                ..Default::default()
            },
        )?;
        out.extend(page.entries);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// The FAQ as CSV, in the format `import` reads (product by SKU).
pub fn export_csv(conn: &Connection) -> Result<String> {
    let skus: std::collections::HashMap<i64, String> = crate::catalog::list_products(conn)?
        .into_iter()
        .map(|p| (p.id, p.sku))
        .collect();
    let entries = all_entries(conn)?;
    let languages: BTreeSet<&String> = entries.iter().flat_map(|e| e.translations.keys()).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::Io(std::io::Error::other(e));
    let mut header: Vec<String> = CSV_HEADER.iter().map(|h| h.to_string()).collect();
    header.extend(languages.iter().map(|l| format!("{TRANSLATION_COLUMN}{l}")));
    w.write_record(&header).map_err(io)?;
    for e in &entries {
        let product = e
            .product_id
            .and_then(|p| skus.get(&p).cloned())
            .unwrap_or_default();
        let (variants, tags) = (e.variants.join(" | "), e.tags.join(" | "));
        let mut row: Vec<&str> = vec![
            &e.question,
            &e.answer,
            &variants,
            &product,
            &e.language,
            &tags,
            if e.enabled { "true" } else { "false" },
        ];
        row.extend(
            languages
                .iter()
                .map(|l| e.translations.get(*l).map_or("", String::as_str)),
        );
        w.write_record(&row).map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    Ok(String::from_utf8(bytes).unwrap_or_default())
}
