//! Stock: pick a product, paste or upload items (with a batch label), see duplicates and
//! counts, set the low-stock warning, deliver the orders waiting for stock; the items
//! themselves and "find an order by a code" are in `stock_items`. Large pastes go in chunks so
//! the seller sees progress.

use crate::api;
use crate::format::datetime;
use crate::i18n::{t, tk_or};
use crate::pages::stock_items::{FindByCode, StockItems};
use crate::route::{go, Route};
use crate::session::PRODUCTS_TICK;
use crate::types::{
    DeliverWaiting, ImportReport, Kind, LineIssue, Product, ProductList, ProductPatch,
};
use crate::widgets::{pending, ErrorNote, OkNote, Progress};
use dioxus::prelude::*;
use serde_json::json;

/// Lines per request when a paste is large.
const CHUNK: usize = 2000;

#[component]
pub fn Stock(id: Option<i64>) -> Element {
    let list = use_resource(move || async move {
        let _ = PRODUCTS_TICK();
        api::get::<ProductList>("/api/v1/products").await
    });
    let r = list.read();
    if let Some(el) = pending(&r) {
        return rsx! { h1 { "{t(\"nav.stock\")}" } {el} };
    }
    let Some(Ok(l)) = r.as_ref() else {
        return rsx! {};
    };
    let stocked: Vec<Product> = l
        .products
        .iter()
        .filter(|p| p.has_stock())
        .cloned()
        .collect();
    let current = id
        .and_then(|id| stocked.iter().find(|p| p.id == id))
        .or(stocked.first())
        .cloned();
    rsx! {
        h1 { "{t(\"nav.stock\")}" }
        if !stocked.is_empty() {
            FindByCode {}
        }
        if stocked.is_empty() {
            p { class: "empty", "{t(\"stock.no_products\")}" }
        }
        div { class: "stock-layout",
            ul { class: "picker", id: "stock-products",
                for p in stocked.iter() {
                    li { key: "{p.id}",
                        a {
                            href: "/stock/{p.id}",
                            class: if current.as_ref().map(|c| c.id) == Some(p.id) { "active" } else { "" },
                            onclick: {
                                let pid = p.id;
                                move |e: MouseEvent| {
                                    e.prevent_default();
                                    go(Route::Stock(Some(pid)));
                                }
                            },
                            span { "{p.name}" }
                            span { class: if p.stock.low_stock { "badge st-needs_attention" } else { "badge" }, "{p.stock.available}" }
                        }
                    }
                }
            }
            if let Some(p) = current {
                StockPanel { key: "{p.id}", product: p }
            }
        }
    }
}

#[component]
fn StockPanel(product: Product) -> Element {
    let pid = product.id;
    let mut paste = use_signal(String::new);
    let mut report = use_signal(|| None::<ImportReport>);
    let mut error = use_signal(|| None::<String>);
    let mut progress = use_signal(|| None::<(u64, Option<u64>)>);
    let mut threshold = use_signal(|| product.low_stock_threshold.to_string());
    let mut th_note = use_signal(|| None::<String>);
    let mut th_error = use_signal(|| None::<String>);
    let mut batch = use_signal(String::new);
    let mut waiting_note = use_signal(|| None::<String>);
    let mut waiting_error = use_signal(|| None::<String>);
    let base = format!("/api/v1/products/{pid}/stock");
    // The label travels as a query parameter: text and CSV bodies have no room for it.
    let path = move || {
        let b = batch();
        if b.trim().is_empty() {
            base.clone()
        } else {
            format!("{base}?batch={}", api::enc(&b))
        }
    };
    let deliver_waiting = move |_| {
        waiting_note.set(None);
        waiting_error.set(None);
        spawn(async move {
            let res =
                api::call::<_, DeliverWaiting>("POST", "/api/v1/stock/deliver-waiting", &json!({}))
                    .await;
            match res {
                Ok(r) if r.delivering > 0 => waiting_note.set(Some(format!(
                    "{} {}",
                    r.delivering,
                    t("stock.delivering_now")
                ))),
                Ok(_) => waiting_error.set(Some(t("stock.none_delivered").to_string())),
                Err(e) => waiting_error.set(Some(e.message)),
            }
            *PRODUCTS_TICK.write() += 1;
        });
    };

    let import_paste = {
        let path = path.clone();
        move |_| {
            let text = paste();
            if text.trim().is_empty() {
                error.set(Some(t("stock.err_empty").to_string()));
                return;
            }
            let path = path();
            spawn(async move {
                error.set(None);
                report.set(None);
                match import_chunked(&path, &text, progress).await {
                    Ok(rep) => {
                        // The paste is cleared only once it is safely in stock.
                        paste.set(String::new());
                        report.set(Some(rep));
                    }
                    Err(e) => error.set(Some(e)),
                }
                progress.set(None);
                *PRODUCTS_TICK.write() += 1;
            });
        }
    };
    let upload = {
        let path = path.clone();
        move |_| {
            let Some(file) = api::picked_file("stock-file") else {
                return;
            };
            let path = path();
            spawn(async move {
                error.set(None);
                report.set(None);
                progress.set(Some((0, None)));
                let name = file.name().to_lowercase();
                let res = if name.ends_with(".csv") {
                    api::send_raw::<ImportReport>(&path, "text/csv", file.into())
                        .await
                        .map_err(|e| e.message)
                } else {
                    match api::file_text(&file).await {
                        Ok(text) => import_chunked(&path, &text, progress).await,
                        Err(e) => Err(e.message),
                    }
                };
                match res {
                    Ok(rep) => report.set(Some(rep)),
                    Err(e) => error.set(Some(e)),
                }
                progress.set(None);
                *PRODUCTS_TICK.write() += 1;
            });
        }
    };
    let save_threshold = move |_| {
        th_note.set(None);
        th_error.set(None);
        let Ok(n) = threshold().trim().parse::<i64>() else {
            th_error.set(Some(t("product.err_threshold").to_string()));
            return;
        };
        spawn(async move {
            let body = ProductPatch {
                low_stock_threshold: Some(n),
                ..ProductPatch::default()
            };
            match api::call::<_, Product>("PATCH", &format!("/api/v1/products/{pid}"), &body).await
            {
                Ok(_) => {
                    th_note.set(Some(t("product.saved").to_string()));
                    *PRODUCTS_TICK.write() += 1;
                }
                Err(e) => th_error.set(Some(e.message)),
            }
        });
    };
    let s = &product.stock;
    let account = product.kind == Kind::Account;
    let b = &s.by_status;
    let by_status = [
        ("delivered", b.delivered),
        ("allocated", b.allocated),
        ("revealed", b.revealed),
        ("bad", b.bad),
        ("withdrawn", b.withdrawn),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!("{}: {n}", tk_or("item_status", k)))
    .collect::<Vec<_>>()
    .join(" · ");
    rsx! {
        div { class: "panel grow",
            h2 { "{product.name}" }
            section { class: "cards", id: "stock-counts",
                div { class: if s.low_stock { "card warn" } else { "card" },
                    div { class: "value", id: "stock-available", "{s.available}" }
                    div { class: "label", "{t(\"stock.available\")}" }
                }
                div { class: "card", div { class: "value", "{s.allocated}" } div { class: "label", "{t(\"stock.sold\")}" } }
                div { class: "card", div { class: "value", "{s.total}" } div { class: "label", "{t(\"stock.total\")}" } }
            }
            p { class: "muted small", id: "stock-by-status", "{by_status}" }
            if let Some(since) = s.low_stock_since.as_ref() {
                p { class: "warn", id: "stock-low-since", "{t(\"stock.low_since\")} {datetime(since)}" }
            }
            if s.waiting_orders > 0 {
                div { class: "banner warn", id: "stock-waiting",
                    strong { "{s.waiting_orders} {t(\"stock.waiting\")}" }
                    " "
                    button { id: "deliver-waiting", onclick: deliver_waiting, "{t(\"stock.deliver_waiting\")}" }
                }
            }
            ErrorNote { error: waiting_error() }
            OkNote { text: waiting_note() }
            div { class: "row",
                label { "{t(\"stock.threshold\")}"
                    input { id: "threshold", r#type: "number", min: "0", value: "{threshold}", oninput: move |e| threshold.set(e.value()) }
                }
                button { onclick: save_threshold, "{t(\"save\")}" }
            }
            ErrorNote { error: th_error() }
            OkNote { text: th_note() }
            h3 { "{t(\"stock.import\")}" }
            p { class: "muted small", if account { "{t(\"stock.hint_account\")}" } else { "{t(\"stock.hint_code\")}" } }
            label { "{t(\"stock.batch_label\")}"
                input { id: "stock-batch", maxlength: "64", placeholder: "{t(\"stock.batch_hint\")}", value: "{batch}", oninput: move |e| batch.set(e.value()) }
            }
            textarea {
                id: "stock-paste",
                rows: "8",
                class: "mono",
                placeholder: "{t(\"stock.paste_hint\")}",
                value: "{paste}",
                oninput: move |e| paste.set(e.value()),
            }
            div { class: "row",
                button { id: "import-paste", class: "primary", disabled: progress().is_some(), onclick: import_paste, "{t(\"stock.import_paste\")}" }
                label { class: "file",
                    "{t(\"stock.upload\")} "
                    input { id: "stock-file", r#type: "file", accept: ".txt,.csv,text/plain,text/csv", disabled: progress().is_some(), onchange: upload }
                }
            }
            if let Some((done, total)) = progress() {
                Progress { label: t("stock.importing").to_string(), done, total: total.unwrap_or(0) }
            }
            ErrorNote { error: error() }
            if let Some(rep) = report() {
                div { class: "report", id: "import-report",
                    p { class: "ok", "{t(\"stock.imported\")}: {rep.imported} · {t(\"stock.available\")}: {rep.available}" }
                    if !rep.batch.is_empty() {
                        p { class: "muted", "{t(\"stock.batch\")}: {rep.batch}" }
                    }
                    if rep.waiting_delivered > 0 {
                        p { class: "ok", id: "import-waiting", "{rep.waiting_delivered} {t(\"stock.waiting_delivered\")}" }
                    }
                    if rep.still_waiting > 0 {
                        p { class: "warn", "{rep.still_waiting} {t(\"stock.still_waiting\")}" }
                    }
                    Issues { title: t("stock.duplicates").to_string(), issues: rep.duplicates.clone() }
                    Issues { title: t("stock.rejected").to_string(), issues: rep.rejected.clone() }
                }
            }
            StockItems { product: product.clone() }
        }
    }
}

/// Lines skipped by an import, by line number (never the secret itself).
#[component]
fn Issues(title: String, issues: Vec<LineIssue>) -> Element {
    if issues.is_empty() {
        return rsx! {};
    }
    rsx! {
        details { open: true, class: "issues",
            summary { "{title}: {issues.len()}" }
            ul {
                for (i, x) in issues.iter().take(200).enumerate() {
                    li { key: "{i}", "{t(\"stock.line\")} {x.line}: {tk_or(\"reason\", &x.reason)}" }
                }
            }
        }
    }
}

/// Sends plain-text stock in chunks of lines, adding up the reports (line numbers stay those of
/// the whole paste).
async fn import_chunked(
    path: &str,
    text: &str,
    mut progress: Signal<Option<(u64, Option<u64>)>>,
) -> Result<ImportReport, String> {
    let lines: Vec<&str> = text.lines().collect();
    let total = lines.len() as u64;
    let mut sum = ImportReport::default();
    for (i, chunk) in lines.chunks(CHUNK).enumerate() {
        progress.set(Some(((i * CHUNK) as u64, Some(total))));
        let rep: ImportReport = api::send_text(path, "text/plain", chunk.join("\n"))
            .await
            .map_err(|e| {
                if i == 0 {
                    e.message
                } else {
                    format!("{} ({} {})", e.message, t("stock.after_lines"), i * CHUNK)
                }
            })?;
        let offset = (i * CHUNK) as u64;
        sum.imported += rep.imported;
        sum.available = rep.available;
        sum.batch = rep.batch;
        sum.waiting_delivered += rep.waiting_delivered;
        sum.still_waiting = rep.still_waiting;
        sum.duplicates
            .extend(rep.duplicates.into_iter().map(|mut d| {
                d.line += offset;
                d
            }));
        sum.rejected.extend(rep.rejected.into_iter().map(|mut d| {
            d.line += offset;
            d
        }));
    }
    progress.set(Some((total, Some(total))));
    Ok(sum)
}
