//! The FAQ: entries, their import, and the tester (`POST /assistant/search`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One FAQ entry as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaqEntry {
    pub id: i64,
    pub question: String,
    /// Other phrasings of the question.
    pub variants: Vec<String>,
    pub answer: String,
    /// The product this entry is about; none = store-wide.
    pub product_id: Option<i64>,
    /// The language of the question and answer.
    pub language: String,
    /// The answer in other languages, by language code. A buyer who writes in one of them (or
    /// whose reply language is set to one) gets that text instead of `answer`.
    pub translations: BTreeMap<String, String>,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// How often it answered a buyer (automatically or as an approved draft).
    pub hits: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /faq`: one page of entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaqPage {
    pub entries: Vec<FaqEntry>,
    pub total: i64,
    pub next_cursor: Option<i64>,
}

/// `POST /faq`: a new entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewFaq {
    pub question: String,
    #[serde(default)]
    pub variants: Vec<String>,
    pub answer: String,
    #[serde(default)]
    pub product_id: Option<i64>,
    #[serde(default)]
    pub language: String,
    /// The answer in other languages, by language code ("en": "…").
    #[serde(default)]
    pub translations: BTreeMap<String, String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// `PATCH /faq/{id}`: fields to change; absent ones stay. `product_id: null` makes the entry
/// store-wide.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FaqPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variants: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Absent: unchanged; null: store-wide; a number: that product.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub product_id: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Replaces every translation; `{}` removes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// A field that is present, even as null, is `Some` (null: `Some(None)`); `default` makes an
/// absent one `None`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// A row of an import that was skipped, and why (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineIssue {
    pub line: u64,
    pub reason: String,
}

/// `POST /faq/import`: what an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaqImportReport {
    pub created: u64,
    /// Entries whose question (same product) already exists, in the FAQ or earlier in the file.
    pub duplicates: Vec<LineIssue>,
    pub rejected: Vec<LineIssue>,
}

/// `POST /assistant/search`: a question to try on the FAQ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    pub text: String,
    /// Search as if the conversation were about this product.
    #[serde(default)]
    pub product_id: Option<i64>,
}

/// How the assistant searches right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// Embeddings and full text.
    Hybrid,
    /// No model: words only.
    Fulltext,
}

impl SearchMode {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchMode::Hybrid => "hybrid",
            SearchMode::Fulltext => "fulltext",
        }
    }
}

/// One FAQ entry found by the tester, with its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub faq_id: i64,
    pub question: String,
    pub answer: String,
    pub product_id: Option<i64>,
    pub score: f32,
    pub cosine: f32,
    /// Its rank in the full-text search (1 = first); none when full text did not find it.
    pub fulltext_rank: Option<u64>,
}

/// The features the confidence is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    /// Fused score of the best entry.
    pub top: f32,
    /// Fused score of the runner-up entry (0 when there is none).
    pub second: f32,
    /// Whether the full-text search ranked the same entry first.
    pub fulltext_agrees: bool,
}

/// The answer of `POST /assistant/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchView {
    pub hits: Vec<SearchHit>,
    /// Confidence in the first hit, and whether it would be sent automatically.
    pub confidence: f32,
    pub threshold: f32,
    pub would_answer: bool,
    pub evidence: Evidence,
    pub mode: SearchMode,
    pub micros: u64,
    pub language: String,
}
