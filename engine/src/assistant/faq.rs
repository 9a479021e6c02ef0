//! The FAQ store: entries with their question variants, in SQLite. Variant rows are immutable
//! (an edit deletes and re-inserts), so a variant id always names one text and one embedding.

use super::lang;
use crate::store::now_ms;
use crate::{fields, Error, Result};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use utoipa::ToSchema;

const MAX_QUESTION: usize = 500;
const MAX_ANSWER: usize = 2000;
const MAX_VARIANTS: usize = 50;
const MAX_TAGS: usize = 20;
const MAX_TRANSLATIONS: usize = 10;

pub use auto_api::{FaqEntry, FaqPage, FaqPatch, NewFaq};

/// What changed in the variant set, so the search indexes can follow.
#[derive(Debug, Default)]
pub struct VariantChange {
    pub added: Vec<(i64, String)>,
    pub removed: Vec<i64>,
}

/// A checked entry, ready to store.
struct Clean {
    question: String,
    variants: Vec<String>,
    answer: String,
    product_id: Option<i64>,
    language: String,
    translations: BTreeMap<String, String>,
    tags: Vec<String>,
    enabled: bool,
}

/// Translations keyed by checked, lowercased language codes; none may repeat the entry's own
/// language (its text is `answer`).
fn clean_translations(
    given: &BTreeMap<String, String>,
    language: &str,
) -> Result<BTreeMap<String, String>> {
    if given.len() > MAX_TRANSLATIONS {
        return Err(Error::invalid(format!(
            "an entry has at most {MAX_TRANSLATIONS} translations"
        )));
    }
    let mut out = BTreeMap::new();
    for (code, text) in given {
        let code = lang::code("a translation's language", code)?;
        if code == language {
            return Err(Error::invalid(format!(
                "the translation into {code:?} is in the entry's own language; put that text in answer"
            )));
        }
        let text = fields::text(&format!("the answer in {code:?}"), text, MAX_ANSWER, true)?;
        if out.insert(code.clone(), text).is_some() {
            return Err(Error::invalid(format!(
                "the translation into {code:?} is given twice"
            )));
        }
    }
    Ok(out)
}

fn clean(conn: &Connection, new: NewFaq) -> Result<Clean> {
    let question = fields::one_line("question", &new.question, MAX_QUESTION, true)?;
    let answer = fields::text("answer", &new.answer, MAX_ANSWER, true)?;
    if new.variants.len() > MAX_VARIANTS {
        return Err(Error::invalid(format!(
            "an entry has at most {MAX_VARIANTS} variants"
        )));
    }
    // Phrasings that differ only in case or spacing add nothing to the search.
    let mut seen: HashSet<String> = HashSet::from([fold(&question)]);
    let mut variants = Vec::new();
    for v in &new.variants {
        let v = fields::one_line("variant", v, MAX_QUESTION, false)?;
        if !v.is_empty() && seen.insert(fold(&v)) {
            variants.push(v);
        }
    }
    let language = fields::one_line("language", &new.language, 10, false)?.to_lowercase();
    let translations = clean_translations(&new.translations, &language)?;
    if new.tags.len() > MAX_TAGS {
        return Err(Error::invalid(format!(
            "an entry has at most {MAX_TAGS} tags"
        )));
    }
    let mut tags = Vec::new();
    for t in &new.tags {
        let t = fields::one_line("tag", t, 40, false)?;
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    if let Some(p) = new.product_id {
        let exists: Option<i64> = conn
            .query_row("SELECT id FROM products WHERE id = ?1", [p], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(Error::invalid(format!("product {p} does not exist")));
        }
    }
    Ok(Clean {
        question,
        variants,
        answer,
        product_id: new.product_id,
        language,
        translations,
        tags,
        enabled: new.enabled,
    })
}

/// Case- and space-insensitive form used to spot the same question twice.
pub fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The id of an entry with the same question (folded) and scope, if one exists.
pub fn find_same(
    conn: &Connection,
    question: &str,
    product_id: Option<i64>,
) -> Result<Option<i64>> {
    find_same_other(conn, question, product_id, 0)
}

/// Like `find_same`, ignoring the entry `except` (the one being edited).
pub fn find_same_other(
    conn: &Connection,
    question: &str,
    product_id: Option<i64>,
    except: i64,
) -> Result<Option<i64>> {
    let folded = fold(question);
    // SQLite's lower() folds ASCII only; the exact comparison happens here, on candidates
    // that share the first word.
    let first = folded.split(' ').next().unwrap_or("").to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT id, question FROM faq_entries WHERE product_id IS ?1 AND id != ?2
           AND lower(question) LIKE '%' || lower(?3) || '%'",
    )?;
    let rows = stmt
        .query_map(params![product_id, except, first], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .find(|(_, q)| fold(q) == folded)
        .map(|(id, _)| id))
}

pub fn create(conn: &Connection, new: NewFaq) -> Result<(i64, VariantChange)> {
    let c = clean(conn, new)?;
    let now = now_ms();
    conn.execute(
        "INSERT INTO faq_entries (question, answer, product_id, language, tags, enabled, created_at, updated_at, translations)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
        params![
            c.question,
            c.answer,
            c.product_id,
            c.language,
            serde_json::to_string(&c.tags).unwrap_or_default(),
            c.enabled,
            now,
            serde_json::to_string(&c.translations).unwrap_or_default(),
        ],
    )?;
    let id = conn.last_insert_rowid();
    let mut texts = vec![c.question];
    texts.extend(c.variants);
    let added = insert_variants(conn, id, &texts, 0)?;
    Ok((
        id,
        VariantChange {
            added,
            removed: Vec::new(),
        },
    ))
}

fn insert_variants(
    conn: &Connection,
    entry_id: i64,
    texts: &[String],
    first_position: usize,
) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO faq_variants (entry_id, position, text) VALUES (?1, ?2, ?3)",
    )?;
    let mut out = Vec::with_capacity(texts.len());
    for (i, t) in texts.iter().enumerate() {
        stmt.execute(params![entry_id, (first_position + i) as i64, t])?;
        out.push((conn.last_insert_rowid(), t.clone()));
    }
    Ok(out)
}

pub fn update(conn: &Connection, id: i64, patch: FaqPatch) -> Result<VariantChange> {
    let current = get(conn, id)?;
    let merged = NewFaq {
        question: patch.question.unwrap_or(current.question),
        variants: patch.variants.unwrap_or(current.variants),
        answer: patch.answer.unwrap_or(current.answer),
        product_id: patch.product_id.unwrap_or(current.product_id),
        language: patch.language.unwrap_or(current.language),
        translations: patch.translations.unwrap_or(current.translations),
        tags: patch.tags.unwrap_or(current.tags),
        enabled: patch.enabled.unwrap_or(current.enabled),
    };
    let c = clean(conn, merged)?;
    conn.execute(
        "UPDATE faq_entries SET question = ?2, answer = ?3, product_id = ?4, language = ?5,
                tags = ?6, enabled = ?7, updated_at = ?8, translations = ?9
         WHERE id = ?1",
        params![
            id,
            c.question,
            c.answer,
            c.product_id,
            c.language,
            serde_json::to_string(&c.tags).unwrap_or_default(),
            c.enabled,
            now_ms(),
            serde_json::to_string(&c.translations).unwrap_or_default(),
        ],
    )?;
    // Keep the rows whose text is unchanged (their embeddings stay valid), replace the rest.
    let mut wanted = vec![c.question];
    wanted.extend(c.variants);
    let existing: Vec<(i64, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id, text FROM faq_variants WHERE entry_id = ?1 ORDER BY position",
        )?;
        let rows = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    };
    let mut change = VariantChange::default();
    for (vid, text) in &existing {
        if !wanted.contains(text) {
            conn.execute("DELETE FROM faq_variants WHERE id = ?1", [vid])?;
            change.removed.push(*vid);
        }
    }
    let kept: HashSet<&String> = existing
        .iter()
        .filter(|(_, t)| wanted.contains(t))
        .map(|(_, t)| t)
        .collect();
    for (pos, text) in wanted.iter().enumerate() {
        if kept.contains(text) {
            conn.execute(
                "UPDATE faq_variants SET position = ?3 WHERE entry_id = ?1 AND text = ?2",
                params![id, text, pos as i64],
            )?;
        } else {
            change
                .added
                .extend(insert_variants(conn, id, std::slice::from_ref(text), pos)?);
        }
    }
    Ok(change)
}

/// Deletes an entry; returns its variant ids so the indexes can drop them.
pub fn delete(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare_cached("SELECT id FROM faq_variants WHERE entry_id = ?1")?;
        let rows = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    };
    conn.execute("DELETE FROM faq_variants WHERE entry_id = ?1", [id])?;
    conn.execute("UPDATE messages SET faq_id = NULL WHERE faq_id = ?1", [id])?;
    conn.execute("UPDATE replies SET faq_id = NULL WHERE faq_id = ?1", [id])?;
    conn.execute("DELETE FROM faq_hits WHERE entry_id = ?1", [id])?;
    if conn.execute("DELETE FROM faq_entries WHERE id = ?1", [id])? == 0 {
        return Err(Error::not_found(format!("FAQ entry {id}")));
    }
    Ok(ids)
}

const SELECT: &str = "SELECT e.id, e.question, e.answer, e.product_id, e.language, e.tags, e.enabled,
        e.created_at, e.updated_at, IFNULL(h.hits, 0),
        (SELECT json_group_array(text) FROM
            (SELECT text FROM faq_variants v WHERE v.entry_id = e.id AND v.position > 0 ORDER BY position)),
        e.translations
     FROM faq_entries e LEFT JOIN faq_hits h ON h.entry_id = e.id";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<FaqEntry> {
    let ms = |i: usize| -> rusqlite::Result<DateTime<Utc>> {
        let v: i64 = r.get(i)?;
        Ok(Utc.timestamp_millis_opt(v).single().unwrap_or_default())
    };
    let tags: String = r.get(5)?;
    let variants: String = r.get(10)?;
    let translations: String = r.get(11)?;
    Ok(FaqEntry {
        id: r.get(0)?,
        question: r.get(1)?,
        answer: r.get(2)?,
        product_id: r.get(3)?,
        language: r.get(4)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        enabled: r.get(6)?,
        created_at: ms(7)?,
        updated_at: ms(8)?,
        hits: r.get(9)?,
        variants: serde_json::from_str(&variants).unwrap_or_default(),
        translations: serde_json::from_str(&translations).unwrap_or_default(),
    })
}

/// What the engine reads out of an entry for a buyer (the entry itself is the API's type).
pub trait Answers {
    /// The answer for a buyer who wants `language` (see `Effective::reply_language`): its
    /// translation when the entry has one and is not already in that language, else `answer`.
    fn answer_in(&self, language: Option<&str>) -> &str;
    /// Every text of this entry that can reach a buyer: the answer and its translations.
    fn answers(&self) -> impl Iterator<Item = &str>;
}

impl Answers for FaqEntry {
    fn answer_in(&self, language: Option<&str>) -> &str {
        let Some(want) = language else {
            return &self.answer;
        };
        if lang::serves(&self.language, want) {
            return &self.answer;
        }
        self.translations
            .get(want)
            .or_else(|| {
                self.translations
                    .iter()
                    .find(|(have, _)| lang::serves(have, want))
                    .map(|(_, text)| text)
            })
            .unwrap_or(&self.answer)
    }

    fn answers(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.answer.as_str()).chain(self.translations.values().map(String::as_str))
    }
}

pub fn get(conn: &Connection, id: i64) -> Result<FaqEntry> {
    conn.query_row(&format!("{SELECT} WHERE e.id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found(format!("FAQ entry {id}")))
}

/// Entries by id; missing ids are skipped.
pub fn get_many(conn: &Connection, ids: &[i64]) -> Result<Vec<FaqEntry>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE e.id = ?1"))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(e) = stmt.query_row([id], from_row).optional()? {
            out.push(e);
        }
    }
    Ok(out)
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct FaqFilter {
    /// Words in the question, variants or answer.
    pub q: Option<String>,
    pub product_id: Option<i64>,
    /// Only store-wide entries.
    pub store_wide: Option<bool>,
    pub enabled: Option<bool>,
    pub tag: Option<String>,
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
}

pub fn list(conn: &Connection, f: &FaqFilter) -> Result<FaqPage> {
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    let mut cond = vec!["1 = 1".to_string()];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(p) = f.product_id {
        args.push(p.into());
        cond.push(format!("e.product_id = ?{}", args.len()));
    }
    if f.store_wide == Some(true) {
        cond.push("e.product_id IS NULL".into());
    }
    if let Some(en) = f.enabled {
        args.push((en as i64).into());
        cond.push(format!("e.enabled = ?{}", args.len()));
    }
    if let Some(t) = f.tag.as_deref().filter(|t| !t.is_empty()) {
        args.push(t.to_string().into());
        cond.push(format!(
            "EXISTS (SELECT 1 FROM json_each(e.tags) WHERE json_each.value = ?{})",
            args.len()
        ));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        args.push(format!("%{}%", q.replace('%', "\\%").replace('_', "\\_")).into());
        let n = args.len();
        cond.push(format!(
            "(e.question LIKE ?{n} ESCAPE '\\' OR e.answer LIKE ?{n} ESCAPE '\\' OR EXISTS
              (SELECT 1 FROM faq_variants v WHERE v.entry_id = e.id AND v.text LIKE ?{n} ESCAPE '\\'))"
        ));
    }
    let where_ = cond.join(" AND ");
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM faq_entries e WHERE {where_}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let mut page_args = args.clone();
    page_args.push(f.cursor.unwrap_or(0).into());
    let cursor_n = page_args.len();
    page_args.push(((limit + 1) as i64).into());
    let sql = format!(
        "{SELECT} WHERE {where_} AND e.id > ?{cursor_n} ORDER BY e.id LIMIT ?{}",
        page_args.len()
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut entries = stmt
        .query_map(rusqlite::params_from_iter(page_args.iter()), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let next_cursor = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(FaqPage {
        entries,
        total,
        next_cursor,
    })
}

/// Records that an entry answered a buyer.
pub fn record_hit(conn: &Connection, entry_id: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO faq_hits (entry_id, hits, last_at) VALUES (?1, 1, ?2)
         ON CONFLICT (entry_id) DO UPDATE SET hits = hits + 1, last_at = excluded.last_at",
        params![entry_id, now_ms()],
    )?;
    Ok(())
}
