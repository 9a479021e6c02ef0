//! Hybrid retrieval: the HNSW index over variant embeddings and SQLite FTS5 (BM25) over the
//! same texts, each ranked, then gathered per FAQ entry and fused into one ranking.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use super::index::VectorIndex;
use super::stopwords;
use super::words::{self, Words};
use crate::Result;

/// Variants fetched from each side before gathering per entry.
pub const CANDIDATES: usize = 40;

/// What the search needs to know about a live (enabled) variant.
#[derive(Debug, Clone, Copy)]
pub struct VariantInfo {
    pub entry_id: i64,
    pub product_id: Option<i64>,
}

/// One FAQ entry found for a question, with the evidence for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryHit {
    pub faq_id: i64,
    /// The fused score used for ranking and confidence (about 0–1.1).
    pub score: f32,
    /// Best cosine similarity of the question to one of the entry's variants.
    pub cosine: f32,
    /// The entry's place in the full-text ranking (1 = best), if words matched.
    pub fulltext_rank: Option<usize>,
    /// The entry's BM25 relative to the best full-text match (1 = best).
    pub fulltext: f32,
    /// The variant that matched best.
    pub matched_variant: i64,
}

impl EntryHit {
    /// An entry seen for the first time, with no evidence yet (`cosine` unset).
    fn empty(faq_id: i64, variant: usize) -> EntryHit {
        EntryHit {
            faq_id,
            score: 0.0,
            cosine: f32::MIN,
            fulltext_rank: None,
            fulltext: 0.0,
            matched_variant: variant as i64,
        }
    }
}

/// Variants within `scope`: a product-specific entry only counts for its product; store-wide
/// entries always count. No product known: every entry counts.
pub fn in_scope(info: &VariantInfo, product: Option<i64>) -> bool {
    match (info.product_id, product) {
        (None, _) | (_, None) => true,
        (Some(p), Some(q)) => p == q,
    }
}

/// The distinct words of a message, lowercased, at most 32, split as the FAQ's word counts are
/// (so that a word's count is found), without function words (see `stopwords`).
fn tokens(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    words::split(text)
        .filter(|t| t.chars().count() >= 2 && !stopwords::is_stop_word(t))
        .filter(|t| seen.insert(t.clone()))
        .take(32)
        .collect()
}

/// A word found in more than this share of the variants is a common word of this FAQ ("I",
/// "my", "kak"): it adds almost nothing to BM25 but makes the search read every row it is in.
const COMMON_WORD_SHARE: usize = 10;
/// Below this many variants no word counts as common (small FAQs keep every word).
const COMMON_WORD_FLOOR: usize = 100;
/// The rarest words kept in a query.
const MAX_QUERY_WORDS: usize = 12;

/// A word in more than this share of the variants (and not common) is not looked up in FTS5:
/// it is counted, from memory, only for the variants that rarer words or the vector search
/// found. Such words had three quarters of the rows a search read (banking77, 10,000
/// variants); a variant they alone would find ranks below those that share a rarer word.
const FREQUENT_WORD_SHARE: usize = 30;

/// The query's words minus the FAQ's common ones, with their document frequencies, rarest
/// first; the two rarest stay even if every word is common.
fn discriminating(words: &Words, query: Vec<String>) -> Vec<(u32, String)> {
    let common = COMMON_WORD_FLOOR.max(words.docs() / COMMON_WORD_SHARE);
    let mut counted: Vec<(u32, String)> = query
        .into_iter()
        // A word the FAQ does not know (or spells with diacritics) counts as rare.
        .map(|w| (words.doc_freq(&w), w))
        .collect();
    counted.sort();
    let keep = counted
        .iter()
        .filter(|(doc, _)| *doc as usize <= common)
        .count()
        .clamp(2, MAX_QUERY_WORDS);
    counted.truncate(keep);
    counted
}

/// Full-text candidates as (variant id, BM25), best first: FTS5 finds the variants of each
/// of the question's rarer words, and BM25 is summed here from the counts in `words` (see
/// `words` for why not FTS5's own `bm25()`). `also`: variants found otherwise (the vector
/// search), which frequent words may add to.
pub fn fulltext(
    conn: &Connection,
    text: &str,
    words: &Words,
    also: &[usize],
    keep: &dyn Fn(usize) -> bool,
) -> Result<Vec<(usize, f32)>> {
    let mut stmt = conn.prepare_cached("SELECT rowid FROM faq_fts WHERE faq_fts MATCH ?1")?;
    let average = words.average_len();
    let frequent = COMMON_WORD_FLOOR.max(words.docs() / FREQUENT_WORD_SHARE);
    let mut scores: HashMap<usize, f32> = HashMap::new();
    let mut found = Vec::new();
    let mut counted_later = Vec::new();
    for (rank, (doc_freq, word)) in discriminating(words, tokens(text)).into_iter().enumerate() {
        if rank >= 2 && doc_freq as usize > frequent {
            counted_later.push((doc_freq, word));
            continue;
        }
        found.clear();
        let rows = stmt.query_map([format!("\"{word}\"")], |r| r.get::<_, i64>(0))?;
        for id in rows {
            found.push(id? as usize);
        }
        for &id in &found {
            // Rows of disabled entries are in FTS5 too: they count for the word's rarity
            // but are not candidates.
            let Some(len) = words.len_of(id) else {
                continue;
            };
            *scores.entry(id).or_default() +=
                words::bm25_term(found.len(), words.docs(), len as f32, average);
        }
    }
    if !counted_later.is_empty() {
        let mut candidates: Vec<usize> = scores.keys().chain(also).copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        for (doc_freq, word) in &counted_later {
            for &id in &candidates {
                let Some(len) = words.len_of(id) else {
                    continue;
                };
                if words.has(id, word) {
                    *scores.entry(id).or_default() +=
                        words::bm25_term(*doc_freq as usize, words.docs(), len as f32, average);
                }
            }
        }
    }
    let mut ranked: Vec<(usize, f32)> = scores.into_iter().filter(|(id, _)| keep(*id)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(CANDIDATES);
    Ok(ranked)
}

/// Weight of the full-text evidence in the fused score. Measured on banking77 (dev split, see
/// README "Assistant"): words add most when the model does not know them (product names,
/// Indonesian), and 0.1 moved top-1 accuracy up without hurting precision.
pub const FULLTEXT_WEIGHT: f32 = 0.1;

/// How much the similarity to the entry's centroid (the mean of its variants) counts next to
/// the best single variant. The best variant alone trusts one lucky phrasing; the centroid
/// alone blurs entries whose phrasings differ. Half and half raised top-1 accuracy on banking77
/// (5 phrasings per intent) from 75.6% to 78.5% (README "Assistant").
pub const CENTROID_WEIGHT: f32 = 0.5;

/// Gathers variant candidates per entry and fuses them: the entry's vector score (best variant
/// and centroid, see `CENTROID_WEIGHT`) plus a small bonus for its relative BM25.
/// `centroid` gives the query's cosine to an entry's centroid, when the entry has one.
pub fn fuse(
    vector: &[(usize, f32)],
    words: &[(usize, f32)],
    variants: &HashMap<usize, VariantInfo>,
    centroid: &dyn Fn(i64) -> Option<f32>,
) -> Vec<EntryHit> {
    let mut by_entry: HashMap<i64, EntryHit> = HashMap::new();
    for &(vid, cos) in vector {
        let Some(info) = variants.get(&vid) else {
            continue;
        };
        let hit = by_entry
            .entry(info.entry_id)
            .or_insert_with(|| EntryHit::empty(info.entry_id, vid));
        if cos > hit.cosine {
            hit.cosine = cos;
            hit.matched_variant = vid as i64;
        }
    }
    let best_bm25 = words.iter().map(|w| w.1).fold(0.0f32, f32::max);
    let mut rank = 0;
    for &(vid, bm25) in words {
        let Some(info) = variants.get(&vid) else {
            continue;
        };
        let hit = by_entry
            .entry(info.entry_id)
            .or_insert_with(|| EntryHit::empty(info.entry_id, vid));
        if hit.fulltext_rank.is_none() {
            rank += 1;
            hit.fulltext_rank = Some(rank);
            hit.fulltext = if best_bm25 > 0.0 {
                bm25 / best_bm25
            } else {
                0.0
            };
            if hit.cosine == f32::MIN {
                hit.matched_variant = vid as i64;
            }
        }
    }
    let mut hits: Vec<EntryHit> = by_entry
        .into_values()
        .map(|mut h| {
            let cen = centroid(h.faq_id);
            if h.cosine == f32::MIN {
                // Found by words only: the vector side did not reach it (its centroid still
                // tells how close it is), or there is no model.
                h.cosine = cen.unwrap_or(0.0);
            }
            let vector_score = match cen {
                Some(c) => (1.0 - CENTROID_WEIGHT) * h.cosine + CENTROID_WEIGHT * c,
                None => h.cosine,
            };
            // Not capped at 1: two near-exact matches must still be told apart.
            h.score = vector_score.max(0.0) + FULLTEXT_WEIGHT * h.fulltext;
            h
        })
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.faq_id.cmp(&b.faq_id)));
    hits
}

/// Vector candidates for a query embedding.
pub fn vector(
    index: &VectorIndex,
    query: &[f32],
    keep: &dyn Fn(usize) -> bool,
) -> Vec<(usize, f32)> {
    index.search(query, CANDIDATES, keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The FAQ's FTS5 table as the migration makes it, with some variants in it.
    fn fts_with(texts: &[(usize, &str)]) -> (Connection, Words) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE faq_fts USING fts5 (text, tokenize = 'unicode61 remove_diacritics 2');",
        )
        .unwrap();
        let mut words = Words::default();
        for (id, text) in texts {
            conn.execute(
                "INSERT INTO faq_fts (rowid, text) VALUES (?1, ?2)",
                rusqlite::params![*id as i64, text],
            )
            .unwrap();
            words.insert(*id, text);
        }
        (conn, words)
    }

    #[test]
    fn full_text_ranks_rare_words_first_and_takes_any_input() {
        let (conn, words) = fts_with(&[
            (1, "Kapan kodenya dikirim?"),
            (2, "Kapan saya bisa refund?"),
            (3, "Apakah kode Steam ini region Indonesia?"),
            (4, "Kapan promo berikutnya?"),
        ]);
        let all = |_: usize| true;
        let found = fulltext(
            &conn,
            "kak kapan kodenya dikirim ya, refund?",
            &words,
            &[],
            &all,
        )
        .unwrap();
        assert_eq!(found[0].0, 1, "{found:?}");
        assert_eq!(found[1].0, 2, "{found:?}");
        assert!(found.iter().all(|(_, s)| *s > 0.0), "{found:?}");
        assert!(found[0].1 > found[1].1, "{found:?}");
        // Function words find nothing, however many variants share them.
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            fulltext(&conn, "Kak, apakah ini kapan ya?", &words, &[], &all)
                .unwrap()
                .is_empty()
        );
        // Scope: a variant left out is never a candidate.
        let found = fulltext(&conn, "kodenya dikirim", &words, &[], &|id| id != 1).unwrap();
        assert!(found.iter().all(|(id, _)| *id != 1), "{found:?}");
        // Words are quoted one by one, so nothing in a message is FTS syntax.
        for text in [
            "a \" OR * NEAR(",
            "kode\"",
            "?? !",
            "",
            "🙏🙏",
            "region: Indonesia",
        ] {
            fulltext(&conn, text, &words, &[], &all).unwrap();
        }
        assert!(fulltext(&conn, "?? !", &words, &[], &all)
            .unwrap()
            .is_empty());
        // FTS5 folds diacritics even where the word counts do not.
        let found = fulltext(&conn, "régíon", &words, &[], &all).unwrap();
        assert_eq!(found.first().map(|f| f.0), Some(3), "{found:?}");
    }

    /// A frequent word (here in 199 of 3,000 variants) is not read from FTS5 but still counts
    /// for the variants that rarer words or the vector search found.
    #[test]
    fn frequent_words_count_for_what_else_found() {
        let texts: Vec<(usize, String)> = (1..=3000)
            .map(|i| match i {
                5 => (i, "netflix premium rusak".to_string()),
                9 => (i, "premium rusak".to_string()),
                i if i <= 200 => (i, format!("netflix akun {i}")),
                i => (i, format!("voucher game {i}")),
            })
            .collect();
        let refs: Vec<(usize, &str)> = texts.iter().map(|(i, t)| (*i, t.as_str())).collect();
        let (conn, words) = fts_with(&refs);
        assert_eq!(words.doc_freq("netflix"), 199);
        let all = |_: usize| true;
        let score = |found: &[(usize, f32)], id: usize| {
            found.iter().find(|(i, _)| *i == id).map_or(0.0, |f| f.1)
        };
        let found = fulltext(&conn, "premium rusak netflix", &words, &[], &all).unwrap();
        assert_eq!(found[0].0, 5, "{found:?}");
        assert!(score(&found, 5) > score(&found, 9), "{found:?}");
        // A variant only the frequent word matches is not read from FTS5...
        assert_eq!(score(&found, 7), 0.0, "{found:?}");
        // ...but counts when the vector search found it.
        let found = fulltext(&conn, "premium rusak netflix", &words, &[7], &all).unwrap();
        assert!(score(&found, 7) > 0.0, "{found:?}");
    }

    #[test]
    fn fusion_ranks_per_entry_and_rewards_word_matches() {
        let variants: HashMap<usize, VariantInfo> = [
            (
                1,
                VariantInfo {
                    entry_id: 10,
                    product_id: None,
                },
            ),
            (
                2,
                VariantInfo {
                    entry_id: 10,
                    product_id: None,
                },
            ),
            (
                3,
                VariantInfo {
                    entry_id: 20,
                    product_id: None,
                },
            ),
        ]
        .into();
        let hits = fuse(
            &[(1, 0.5), (2, 0.7), (3, 0.69)],
            &[(3, 4.0)],
            &variants,
            &|_| None,
        );
        assert_eq!(hits[0].faq_id, 20, "word evidence breaks a near tie");
        assert_eq!(hits[1].faq_id, 10);
        assert_eq!(hits[1].matched_variant, 2);
        assert!((hits[1].cosine - 0.7).abs() < 1e-6);
    }
}
