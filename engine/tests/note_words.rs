//! The UI words every trail code in English and Indonesian: the UI's table of notes
//! (ui/src/i18n/notes.rs, plain Rust included here as it is) against the codes the engine
//! writes (read from engine/src/orders/note.rs, so that a code added there without words
//! fails here) and against the engine's own English.

use auto_engine::orders::{parse_params, Note};
use std::collections::BTreeSet;

#[allow(dead_code)]
mod notes {
    include!("../../ui/src/i18n/notes.rs");
}

/// The codes `Note::code` returns, read from its source.
fn engine_codes() -> Vec<String> {
    let src = include_str!("../src/orders/note.rs");
    let start = src
        .find("pub fn code(&self)")
        .expect("Note::code in note.rs");
    let body = &src[start..];
    let end = body.find("\n    }\n").expect("the end of Note::code");
    let codes: Vec<String> = body[..end]
        .split("=> \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    assert!(
        codes.len() >= 17,
        "Note::code read wrongly from note.rs: {codes:?}"
    );
    codes
}

fn param_of(note: &Note) -> impl Fn(&str) -> Option<String> {
    let params = parse_params(note.params().as_deref());
    move |name: &str| match params.get(name) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// The parameter names a template uses.
fn placeholders(template: &str) -> BTreeSet<String> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split('}').next())
        .map(|spec| spec.split(':').next().unwrap_or(spec).to_string())
        .collect()
}

#[test]
fn every_code_the_engine_writes_has_english_and_indonesian_words() {
    let keys: Vec<&str> = notes::NOTES.iter().map(|(k, _, _)| *k).collect();
    let unique: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(unique.len(), keys.len(), "a key twice in the UI's table");
    for code in engine_codes() {
        let (_, en, id) = notes::NOTES
            .iter()
            .find(|(k, _, _)| *k == code)
            .unwrap_or_else(|| panic!("the UI has no words for the trail code '{code}'"));
        assert!(!en.trim().is_empty() && !id.trim().is_empty(), "{code}");
    }
    for (key, en, id) in notes::NOTES {
        assert_eq!(
            placeholders(en),
            placeholders(id),
            "{key}: both languages use the same parameters"
        );
        // Only the seller's own words are the same in both languages.
        if *key != "seller_note" {
            assert_ne!(en, id, "{key} is not translated");
        }
    }
}

fn samples() -> Vec<Note> {
    let s = |v: &str| v.to_string();
    vec![
        Note::Reported { status: s("paid") },
        Note::ReportedFulfilledBefore {
            status: s("delivered"),
        },
        Note::UnknownStatus {
            raw: s("Menunggu Verifikasi"),
        },
        Note::Allocated,
        Note::OutOfStock {
            product: s("Steam Wallet 100k"),
            have: 1,
            want: 3,
        },
        Note::UnknownSku {
            sku: s("STEAM-100"),
            item_id: None,
            model_id: None,
        },
        Note::UnknownSku {
            sku: s(""),
            item_id: Some(777),
            model_id: None,
        },
        Note::UnknownSku {
            sku: s(""),
            item_id: Some(777),
            model_id: Some(888),
        },
        Note::ProductInactive {
            product: s("Netflix"),
        },
        Note::DeliveryConfirmed,
        Note::ResentDeliveryConfirmed,
        Note::CancelledDeliverySent,
        Note::ResendRequested,
        Note::ShopeeCompleted,
        Note::ChatRefused {
            refusal: s("first_chat_without_order_info"),
            said: s("no chat"),
        },
        Note::ChatRefused {
            refusal: s("user_is_forbidden"),
            said: s("forbidden"),
        },
        Note::ChatRefused {
            refusal: s("error_exceed_5_message_limit"),
            said: s("too many"),
        },
        Note::ChatRefused {
            refusal: s("message_too_long"),
            said: s("long"),
        },
        Note::ChatRefused {
            refusal: s("buyer_blocked_shop"),
            said: s("blocked"),
        },
        Note::ChatRefused {
            refusal: s("error_param"),
            said: s("something odd"),
        },
        Note::RefusedDeliveryRequeued,
        Note::SetBy {
            status: s("refunded"),
            actor: s("admin"),
        },
        Note::SellerNote {
            text: s("pembeli minta batal"),
        },
        Note::DeliveredByHand { note: s("") },
        Note::DeliveredByHand {
            note: s("sent by WhatsApp"),
        },
        Note::ItemsReturned { count: 2 },
        Note::ItemsHeld { count: 1 },
        Note::ReplacementsDropped { count: 1 },
        Note::Reopened { status: s("paid") },
        Note::ItemsGivenBack { count: 1 },
        Note::DeliveryResumed,
        Note::ReopenedItemsGone {
            status: s("completed"),
        },
        Note::StaleReportIgnored {
            status: s("paid"),
            reported_at: s("2026-12-06 10:15:00 UTC"),
            cancelled_at: s("2026-12-06 10:20:00 UTC"),
        },
        Note::StaleLeaveIgnored {
            status: s("cancelled"),
            reported_at: s("2026-12-06 10:15:00 UTC"),
            known_at: s("2026-12-06 10:20:00 UTC"),
            stays: s("delivered"),
        },
        Note::KeyReplaced {
            old: s("ABCD-••••-WXYZ"),
            new: s("EFGH-••••-QRST"),
            reason: s("already redeemed"),
        },
        Note::ReplacementWaiting {
            old: s("ABCD-••••-WXYZ"),
            product: s("Steam Wallet 100k"),
            reason: s("already redeemed"),
        },
        Note::ReplacementConfirmed,
        Note::ItemBackToStock {
            item: s("ABCD-••••-WXYZ"),
        },
        Note::ItemVoided {
            item: s("ABCD-••••-WXYZ"),
            reason: s(""),
        },
        Note::ItemVoided {
            item: s("ABCD-••••-WXYZ"),
            reason: s("buyer kept it"),
        },
    ]
}

#[test]
fn the_english_words_are_the_engines_and_the_indonesian_ones_fill() {
    let same = |_kind: &str, value: &str| value.to_string();
    let mut covered = BTreeSet::new();
    for note in samples() {
        let param = param_of(&note);
        let english = notes::words(note.code(), false, &param, &same)
            .unwrap_or_else(|| panic!("no English words for {note:?}"));
        assert_eq!(english, note.english(), "{note:?}");
        let indonesian = notes::words(note.code(), true, &param, &same)
            .unwrap_or_else(|| panic!("no Indonesian words for {note:?}"));
        assert!(
            !indonesian.contains('{') && !indonesian.contains('['),
            "{indonesian}"
        );
        if note.code() != "seller_note" {
            assert_ne!(indonesian, english, "{note:?}");
        }
        covered.insert(notes::key_of(note.code(), &param));
    }
    for code in engine_codes() {
        assert!(
            covered
                .iter()
                .any(|k| k == &code || k.starts_with(&format!("{code}."))),
            "no sample of '{code}': add one above, so that its English is checked"
        );
    }
    // Each chat refusal's own words are reached.
    for (key, _, _) in notes::NOTES
        .iter()
        .filter(|(k, _, _)| k.starts_with("chat_refused"))
    {
        assert!(covered.contains(*key), "no sample reaches {key}");
    }
}

#[test]
fn templates_fill_as_documented() {
    let params = |name: &str| match name {
        "a" => Some("A".to_string()),
        "empty" => Some(String::new()),
        "st" => Some("needs_attention".to_string()),
        _ => None,
    };
    let word = |kind: &str, value: &str| format!("<{kind}:{value}>");
    let fill = |t: &str| notes::fill(t, &params, &word);
    assert_eq!(fill("x {a} y").as_deref(), Some("x A y"));
    assert_eq!(
        fill("{st:status}").as_deref(),
        Some("<status:needs_attention>")
    );
    // A required parameter may be empty; a missing one leaves the words to the engine.
    assert_eq!(fill("'{empty}'").as_deref(), Some("''"));
    assert_eq!(fill("x {missing}"), None);
    // Optional parts: dropped when a parameter in them is missing or empty, nested.
    assert_eq!(fill("x[ {a}[ {missing}]] y").as_deref(), Some("x A y"));
    assert_eq!(fill("x[ {empty}] y").as_deref(), Some("x y"));
    assert_eq!(fill("x[ {missing}[ {a}]] y").as_deref(), Some("x y"));
    // Broken templates show nothing rather than half.
    assert_eq!(fill("x[ {a}"), None);
    assert_eq!(fill("x {a"), None);
    assert_eq!(fill("x] {a}"), None);
    // An unknown code has no words here.
    assert_eq!(notes::words("no_such_code", true, &params, &word), None);
}
