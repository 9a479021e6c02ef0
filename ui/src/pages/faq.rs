//! The FAQ: entries and their variants, import/export, indexing progress, and the tester.

use crate::api::{self, enc};
use crate::i18n::{t, tk};
use crate::session::FAQ_TICK;
use crate::types::{
    AssistantStatus, FaqEntry, FaqImportReport, FaqPage, FaqPatch, NewFaq, ProductList, SearchMode,
    SearchRequest, SearchView,
};
use crate::widgets::{pending, ErrorNote, OkNote, Progress};
use dioxus::prelude::*;
use std::collections::BTreeMap;

#[component]
pub fn Faq() -> Element {
    let mut q = use_signal(String::new);
    let mut editing = use_signal(|| None::<Option<FaqEntry>>);
    let mut cursor = use_signal(|| None::<i64>);
    let page = use_resource(move || async move {
        let _ = FAQ_TICK();
        let mut path = format!("/api/v1/faq?limit=50&q={}", enc(&q()));
        if let Some(c) = cursor() {
            path.push_str(&format!("&cursor={c}"));
        }
        api::get::<FaqPage>(&path).await
    });
    let products = use_resource(|| async { api::get::<ProductList>("/api/v1/products").await });
    let names = products
        .read()
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(|l| l.products.clone())
        .unwrap_or_default();
    let r = page.read();
    rsx! {
        div { class: "page-head",
            h1 { "{t(\"nav.faq\")}" }
            div { class: "row",
                button { id: "new-faq", class: "primary", onclick: move |_| editing.set(Some(None)), "+ {t(\"faq.new\")}" }
                a { class: "button", href: "/api/v1/faq/export?format=csv", download: "faq.csv", "{t(\"faq.export\")} CSV" }
                a { class: "button", href: "/api/v1/faq/export?format=json", download: "faq.json", "{t(\"faq.export\")} JSON" }
            }
        }
        IndexStatus {}
        Tester { products: names.clone() }
        if let Some(entry) = editing() {
            Editor { key: "{entry.as_ref().map(|e| e.id).unwrap_or(0)}", entry, products: names.clone(), on_done: move |_| editing.set(None) }
        }
        Import {}
        section { class: "panel",
            div { class: "page-head",
                h2 { "{t(\"faq.entries\")}" }
                input { r#type: "search", placeholder: "{t(\"faq.search\")}", value: "{q}", oninput: move |e| { q.set(e.value()); cursor.set(None); } }
            }
            if let Some(el) = pending(&r) {
                {el}
            } else if let Some(Ok(p)) = r.as_ref() {
                p { class: "muted", "{t(\"faq.total\")}: {p.total}" }
                if p.entries.is_empty() {
                    p { class: "empty", "{t(\"faq.none\")}" }
                }
                table { class: "list", id: "faq-table",
                    thead { tr { th { "{t(\"faq.question\")}" } th { "{t(\"faq.answer\")}" } th { class: "num", "{t(\"faq.variants\")}" } th { class: "num", "{t(\"faq.hits\")}" } th {} } }
                    tbody {
                        for e in p.entries.iter() {
                            tr { key: "{e.id}", class: if e.enabled { "" } else { "inactive" },
                                td { "{e.question}" }
                                td { class: "clip",
                                    if !e.translations.is_empty() {
                                        span { class: "badge", title: "{t(\"faq.translations\")}", "{e.language} + {e.translations.keys().cloned().collect::<Vec<_>>().join(\" \")}" }
                                        " "
                                    }
                                    "{e.answer}"
                                }
                                td { class: "num", "{e.variants.len()}" }
                                td { class: "num", "{e.hits}" }
                                td {
                                    button {
                                        onclick: {
                                            let e = e.clone();
                                            move |_| editing.set(Some(Some(e.clone())))
                                        },
                                        "{t(\"edit\")}"
                                    }
                                }
                            }
                        }
                    }
                }
                if let Some(next) = p.next_cursor {
                    button { onclick: move |_| cursor.set(Some(next)), "{t(\"pager.next\")} →" }
                }
                if cursor().is_some() {
                    button { onclick: move |_| cursor.set(None), "{t(\"pager.first\")}" }
                }
            }
        }
    }
}

/// Search mode and embedding progress; polls while indexing runs.
#[component]
pub fn IndexStatus() -> Element {
    let mut status = use_signal(|| None::<AssistantStatus>);
    use_future(move || async move {
        loop {
            let seen = *FAQ_TICK.peek();
            let busy = match api::get::<AssistantStatus>("/api/v1/assistant/status").await {
                Ok(s) => {
                    let busy = s.search.indexing;
                    status.set(Some(s));
                    busy
                }
                Err(_) => false,
            };
            // Poll quickly while indexing; otherwise wait for an FAQ change (or a while).
            let mut waited = 0;
            while waited < if busy { 700 } else { 10_000 } && *FAQ_TICK.peek() == seen {
                api::sleep(250).await;
                waited += 250;
            }
        }
    });
    let Some(s) = status() else {
        return rsx! {};
    };
    let k = &s.search;
    rsx! {
        div { class: "status-line", id: "index-status",
            span { class: "badge", "{tk(\"mode\", k.mode.as_str())}" }
            " {k.model} · {t(\"faq.indexed\")} {k.indexed} / {k.variants}"
            if k.mode == SearchMode::Hybrid && !k.model_loaded {
                span { class: "muted", id: "model-resting", " · {t(\"faq.model_resting\")}" }
            }
            if let Some(err) = &k.model_error { span { class: "error", " — {err}" } }
            if k.indexing {
                Progress { label: t("faq.indexing").to_string(), done: k.indexed, total: k.variants }
            }
        }
    }
}

/// "Test a question": what the assistant would find and whether it would answer by itself.
#[component]
fn Tester(products: Vec<crate::types::Product>) -> Element {
    let mut text = use_signal(String::new);
    let mut product = use_signal(String::new);
    let mut result = use_signal(|| None::<SearchView>);
    let mut error = use_signal(|| None::<String>);
    let run = move |e: FormEvent| {
        e.prevent_default();
        let body = SearchRequest {
            text: text(),
            product_id: product().parse::<i64>().ok(),
        };
        spawn(async move {
            error.set(None);
            match api::call::<_, SearchView>("POST", "/api/v1/assistant/search", &body).await {
                Ok(v) => result.set(Some(v)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    rsx! {
        section { class: "panel", id: "faq-tester",
            h2 { "{t(\"faq.tester\")}" }
            form { class: "row", onsubmit: run,
                input { id: "tester-text", class: "grow", placeholder: "{t(\"faq.tester_hint\")}", value: "{text}", oninput: move |e| text.set(e.value()) }
                select { onchange: move |e| product.set(e.value()),
                    option { value: "", "{t(\"faq.any_product\")}" }
                    for p in products.iter() { option { key: "{p.id}", value: "{p.id}", "{p.name}" } }
                }
                button { id: "tester-run", class: "primary", r#type: "submit", "{t(\"faq.test\")}" }
            }
            ErrorNote { error: error() }
            if let Some(v) = result() {
                div { id: "tester-result",
                    p { class: if v.would_answer { "ok" } else { "warn" },
                        if v.would_answer { "{t(\"faq.would_answer\")}" } else { "{t(\"faq.would_not\")}" }
                        " — {t(\"faq.confidence\")} {v.confidence:.2} / {t(\"faq.threshold\")} {v.threshold:.2} · {tk(\"mode\", v.mode.as_str())} · {v.micros / 1000} ms"
                    }
                    if v.hits.is_empty() { p { class: "muted", "{t(\"faq.no_match\")}" } }
                    table { class: "list",
                        thead { tr { th { "{t(\"faq.question\")}" } th { "{t(\"faq.answer\")}" } th { class: "num", "{t(\"faq.score\")}" } th { class: "num", "cosine" } th { class: "num", "FTS" } } }
                        tbody {
                            for h in v.hits.iter() {
                                tr { key: "{h.faq_id}",
                                    td { "{h.question}" }
                                    td { class: "clip", "{h.answer}" }
                                    td { class: "num", "{h.score:.3}" }
                                    td { class: "num", "{h.cosine:.3}" }
                                    td { class: "num", {h.fulltext_rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into())} }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Creating or editing one entry; variants one per line.
#[component]
fn Editor(
    entry: Option<FaqEntry>,
    products: Vec<crate::types::Product>,
    on_done: EventHandler<()>,
) -> Element {
    let e0 = entry.as_ref().map(form_of).unwrap_or_else(|| NewFaq {
        question: String::new(),
        variants: Vec::new(),
        answer: String::new(),
        product_id: None,
        language: "id".into(),
        translations: BTreeMap::new(),
        tags: Vec::new(),
        enabled: true,
    });
    let id = entry.as_ref().map(|e| e.id);
    let mut question = use_signal(|| e0.question.clone());
    let mut answer = use_signal(|| e0.answer.clone());
    let mut variants = use_signal(|| e0.variants.join("\n"));
    let mut product = use_signal(|| e0.product_id.map(|p| p.to_string()).unwrap_or_default());
    let mut language = use_signal(|| e0.language.clone());
    // (language, answer) rows, in the order the seller added them.
    let mut translations = use_signal(|| {
        e0.translations
            .iter()
            .map(|(l, a)| (l.clone(), a.clone()))
            .collect::<Vec<_>>()
    });
    let mut tags = use_signal(|| e0.tags.join(", "));
    let mut enabled = use_signal(|| e0.enabled);
    let mut error = use_signal(|| None::<String>);
    let save = move |e: FormEvent| {
        e.prevent_default();
        let body = NewFaq {
            question: question(),
            answer: answer(),
            variants: variants()
                .lines()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            product_id: product().parse::<i64>().ok(),
            language: language(),
            translations: translations_body(&translations()),
            tags: tags()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            enabled: enabled(),
        };
        spawn(async move {
            let res = match id {
                None => api::call::<_, FaqEntry>("POST", "/api/v1/faq", &body).await,
                Some(id) => {
                    let patch = every_field(body);
                    api::call::<_, FaqEntry>("PATCH", &format!("/api/v1/faq/{id}"), &patch).await
                }
            };
            match res {
                Ok(_) => {
                    *FAQ_TICK.write() += 1;
                    on_done.call(());
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let delete = move |_| {
        let Some(id) = id else { return };
        if !crate::widgets::confirm(t("faq.confirm_delete")) {
            return;
        }
        spawn(async move {
            match api::call_empty("DELETE", &format!("/api/v1/faq/{id}"), api::Body::None).await {
                Ok(()) => {
                    *FAQ_TICK.write() += 1;
                    on_done.call(());
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    rsx! {
        section { class: "panel",
            h2 { if id.is_some() { "{t(\"faq.edit\")}" } else { "{t(\"faq.new\")}" } }
            form { class: "grid-form", id: "faq-form", onsubmit: save,
                div { class: "col",
                    label { "{t(\"faq.question\")}" input { id: "faq-question", required: true, value: "{question}", oninput: move |e| question.set(e.value()) } }
                    label { "{t(\"faq.answer\")}" textarea { id: "faq-answer", rows: "4", required: true, value: "{answer}", oninput: move |e| answer.set(e.value()) } }
                    label { "{t(\"faq.variants_hint\")}" textarea { id: "faq-variants", rows: "4", value: "{variants}", oninput: move |e| variants.set(e.value()) } }
                    fieldset { id: "faq-translations",
                        legend { "{t(\"faq.translations\")}" }
                        p { class: "muted small", "{t(\"faq.translations_hint\")}" }
                        for (i, (code, text)) in translations().into_iter().enumerate() {
                            div { key: "{i}", class: "translation",
                                input { class: "lang", placeholder: "en", maxlength: "10", value: "{code}",
                                    oninput: move |e| translations.write()[i].0 = e.value() }
                                textarea { rows: "2", value: "{text}",
                                    oninput: move |e| translations.write()[i].1 = e.value() }
                                button { r#type: "button", class: "remove", title: "{t(\"delete\")}",
                                    onclick: move |_| { translations.write().remove(i); }, "×" }
                            }
                        }
                        button { r#type: "button", id: "faq-add-translation",
                            onclick: move |_| translations.write().push((String::new(), String::new())),
                            "{t(\"faq.add_translation\")}" }
                    }
                }
                div { class: "col",
                    label { "{t(\"orders.product\")}"
                        select { onchange: move |e| product.set(e.value()),
                            option { value: "", "{t(\"faq.store_wide\")}" }
                            for p in products.iter() { option { key: "{p.id}", value: "{p.id}", selected: product() == p.id.to_string(), "{p.name}" } }
                        }
                    }
                    label { "{t(\"product.language\")}" input { id: "faq-language", value: "{language}", oninput: move |e| language.set(e.value()) } }
                    label { "{t(\"faq.tags\")}" input { value: "{tags}", oninput: move |e| tags.set(e.value()) } }
                    label { class: "check", input { r#type: "checkbox", checked: enabled(), onchange: move |e| enabled.set(e.checked()) } "{t(\"faq.enabled\")}" }
                }
                div { class: "foot",
                    ErrorNote { error: error() }
                    button { id: "faq-save", class: "primary", r#type: "submit", "{t(\"save\")}" }
                    button { r#type: "button", onclick: move |_| on_done.call(()), "{t(\"cancel\")}" }
                    if id.is_some() { button { r#type: "button", class: "danger", onclick: delete, "{t(\"delete\")}" } }
                }
            }
        }
    }
}

/// The translation rows as the API takes them; a row left wholly empty is no translation (a
/// half-filled one goes to the engine, which says what is missing).
fn translations_body(rows: &[(String, String)]) -> BTreeMap<String, String> {
    rows.iter()
        .filter(|(l, a)| !(l.trim().is_empty() && a.trim().is_empty()))
        .map(|(l, a)| (l.trim().to_string(), a.clone()))
        .collect()
}

/// An entry's fields as the editor starts from them.
fn form_of(e: &FaqEntry) -> NewFaq {
    NewFaq {
        question: e.question.clone(),
        variants: e.variants.clone(),
        answer: e.answer.clone(),
        product_id: e.product_id,
        language: e.language.clone(),
        translations: e.translations.clone(),
        tags: e.tags.clone(),
        enabled: e.enabled,
    }
}

/// The edited entry as a patch that sets every field (no product: store-wide).
fn every_field(e: NewFaq) -> FaqPatch {
    FaqPatch {
        question: Some(e.question),
        variants: Some(e.variants),
        answer: Some(e.answer),
        product_id: Some(e.product_id),
        language: Some(e.language),
        translations: Some(e.translations),
        tags: Some(e.tags),
        enabled: Some(e.enabled),
    }
}

/// Importing a CSV or JSON file of entries.
#[component]
fn Import() -> Element {
    let mut report = use_signal(|| None::<FaqImportReport>);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let upload = move |_| {
        let Some(file) = api::picked_file("faq-file") else {
            return;
        };
        spawn(async move {
            busy.set(true);
            error.set(None);
            report.set(None);
            let mime = if file.name().to_lowercase().ends_with(".json") {
                "application/json"
            } else {
                "text/csv"
            };
            match api::send_raw::<FaqImportReport>("/api/v1/faq/import", mime, file.into()).await {
                Ok(r) => report.set(Some(r)),
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
            *FAQ_TICK.write() += 1;
        });
    };
    rsx! {
        section { class: "panel",
            h2 { "{t(\"faq.import\")}" }
            p { class: "muted small", "{t(\"faq.import_hint\")}" }
            label { class: "file", input { id: "faq-file", r#type: "file", accept: ".csv,.json", disabled: busy(), onchange: upload } }
            if busy() { Progress { label: t("faq.importing").to_string(), done: 0, total: 0 } }
            ErrorNote { error: error() }
            if let Some(r) = report() {
                OkNote { text: Some(format!("{}: {} · {}: {} · {}: {}", t("faq.created"), r.created, t("stock.duplicates"), r.duplicates.len(), t("stock.rejected"), r.rejected.len())) }
                ul { class: "issues",
                    for (i, x) in r.duplicates.iter().chain(r.rejected.iter()).take(100).enumerate() {
                        li { key: "{i}", "{t(\"stock.line\")} {x.line}: {x.reason}" }
                    }
                }
            }
        }
    }
}
