//! What an order says, in the seller's language: trail events and needs-attention reasons from
//! the engine's code and parameters (the templates of `i18n::notes`), falling back to the
//! engine's English words for a code this UI does not know yet (or an older event without
//! one); who acted; and what a line is (product, SKU, Shopee item/model).

use crate::i18n::{notes, t, t_or, tk_or, Lang, LANG};
use crate::types::Line;
use dioxus::prelude::ReadableExt;
use serde_json::{Map, Value};

/// A trail event's or an attention reason's words.
pub fn note_words(code: Option<&str>, params: &Map<String, Value>, english: &str) -> String {
    let Some(code) = code else {
        return english.to_string();
    };
    let param = |name: &str| match params.get(name) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    };
    let word = |kind: &str, value: &str| match kind {
        // Inside a sentence: "reported as paid", "dilaporkan sebagai dibayar".
        "status" => tk_or("status", value).to_lowercase(),
        "actor" => actor_words(value),
        _ => value.to_string(),
    };
    notes::words(code, *LANG.read() == Lang::Id, &param, &word)
        .unwrap_or_else(|| english.to_string())
}

/// An order's needs-attention reason: the headline of its code (when the UI has one) and the
/// reason in words.
pub fn attention_words(code: &str, params: &Map<String, Value>, english: Option<&str>) -> String {
    let detail = note_words(Some(code), params, english.unwrap_or_default());
    let headline = t_or(&format!("attention.{code}"), "");
    match (headline.is_empty(), detail.is_empty()) {
        (true, _) => detail,
        (false, true) => headline,
        (false, false) => format!("{headline} — {detail}"),
    }
}

/// Who moved an order: the seller, AUTO, the extension, the Shopee API (else as recorded).
pub fn actor_words(actor: &str) -> String {
    tk_or("actor", actor)
}

/// The Shopee listing a line names: "item 123 · model 456".
pub fn listing_words(l: &Line) -> Option<String> {
    let item = l.item_id?;
    Some(match l.model_id {
        Some(model) => format!("{} {item} · {} {model}", t("line.item"), t("line.model")),
        None => format!("{} {item}", t("line.item")),
    })
}

/// A line in a few words for the orders list: "6 × Steam Wallet 100k"; without a product, its
/// SKU or its Shopee listing.
pub fn line_summary(l: &Line) -> String {
    let what = l
        .product_name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| (!l.sku.is_empty()).then(|| l.sku.clone()))
        .or_else(|| listing_words(l))
        .unwrap_or_else(|| "?".into());
    format!("{} × {what}", l.quantity)
}

/// Whether the line's Shopee item/model is worth showing: it is how the line matched, or the
/// line has nothing else.
pub fn shows_listing(l: &Line) -> bool {
    l.matched_by.as_deref() == Some("listing") || l.sku.is_empty()
}
