//! Stock you can see: a product's items (masked) with status, batch, import time and order,
//! filtered and paged; withdrawing unsold items (their codes downloaded first) and exporting
//! them; finding which order got a code.

use crate::api;
use crate::format::datetime;
use crate::i18n::{t, tk_or};
use crate::route::{go, Route};
use crate::session::PRODUCTS_TICK;
use crate::types::{
    FindRequest, FindResult, PlainItem, Product, StockItem, StockItemPage, WithdrawReport,
    WithdrawRequest,
};
use crate::widgets::{confirm, ErrorNote, OkNote};
use dioxus::prelude::*;
use wasm_bindgen::JsCast;

const STATUSES: [&str; 6] = [
    "available",
    "allocated",
    "delivered",
    "revealed",
    "bad",
    "withdrawn",
];
const PAGE: i64 = 50;

/// A status of an item as a coloured label.
#[component]
fn ItemBadge(status: String) -> Element {
    let class = match status.as_str() {
        "available" => "badge",
        "allocated" => "badge st-delivering",
        "delivered" => "badge st-delivered",
        "revealed" | "bad" => "badge st-needs_attention",
        _ => "badge st-cancelled",
    };
    rsx! { span { class: "{class}", "{tk_or(\"item_status\", &status)}" } }
}

/// The order an item went to, as a link to it.
#[component]
fn OrderLink(item: StockItem) -> Element {
    match item.order {
        Some(o) => rsx! {
            a {
                class: "order-link",
                href: "/orders/{o.id}",
                onclick: move |e: MouseEvent| {
                    e.prevent_default();
                    go(Route::Order(o.id));
                },
                "{o.order_sn}"
            }
        },
        None => rsx! { span { class: "muted", "{t(\"stock.not_sold\")}" } },
    }
}

/// Lets the browser save `text` as a file named `name` (the seller's own codes, made here
/// from the answer so they never travel in a URL).
fn download(name: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence(&parts).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let doc = web_sys::window()?.document()?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    doc.body()?.append_child(&a).ok()?;
    a.click();
    a.remove();
    web_sys::Url::revoke_object_url(&url).ok()
}

/// One item per line, as an import reads them back (accounts: username, password, notes).
fn as_text(items: &[PlainItem]) -> String {
    let mut out = String::new();
    for i in items {
        match &i.code {
            Some(c) => out += c,
            None => {
                out += i.username.as_deref().unwrap_or("");
                out.push('\t');
                out += i.password.as_deref().unwrap_or("");
                if let Some(n) = i.notes.as_deref().filter(|n| !n.is_empty()) {
                    out.push('\t');
                    out += n;
                }
            }
        }
        out.push('\n');
    }
    out
}

#[component]
pub fn StockItems(product: Product) -> Element {
    let pid = product.id;
    let sku = product.sku.clone();
    let mut status = use_signal(String::new);
    let mut batch = use_signal(String::new);
    // The `after` of each page shown so far: the last one is the current page.
    let mut pages = use_signal(|| vec![0i64]);
    let mut selected = use_signal(Vec::<i64>::new);
    let mut count = use_signal(String::new);
    let mut note = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<String>);
    let list = use_resource(move || async move {
        let _ = PRODUCTS_TICK();
        let after = pages().last().copied().unwrap_or(0);
        let mut q = format!("limit={PAGE}&after={after}");
        if !status().is_empty() {
            q += &format!("&status={}", status());
        }
        if !batch().trim().is_empty() {
            q += &format!("&batch={}", api::enc(batch().trim()));
        }
        api::get::<StockItemPage>(&format!("/api/v1/products/{pid}/stock/items?{q}")).await
    });
    let mut withdraw = move |body: WithdrawRequest| {
        let sku = sku.clone();
        note.set(None);
        error.set(None);
        if !confirm(t("stock.confirm_withdraw")) {
            return;
        }
        spawn(async move {
            let path = format!("/api/v1/products/{pid}/stock/withdraw");
            match api::call::<_, WithdrawReport>("POST", &path, &body).await {
                Ok(rep) => {
                    download(&format!("{sku}-withdrawn.txt"), &as_text(&rep.items));
                    note.set(Some(format!(
                        "{}: {}",
                        t("stock.withdrawn_note"),
                        rep.withdrawn
                    )));
                    selected.set(Vec::new());
                    *PRODUCTS_TICK.write() += 1;
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let withdraw_selected = {
        let mut withdraw = withdraw.clone();
        move |_| {
            withdraw(WithdrawRequest {
                ids: Some(selected()),
                ..WithdrawRequest::default()
            })
        }
    };
    let withdraw_count = move |_| {
        let Ok(n) = count().trim().parse::<i64>() else {
            error.set(Some(t("stock.err_count").to_string()));
            return;
        };
        if n < 1 {
            error.set(Some(t("stock.err_count").to_string()));
            return;
        }
        let b = batch().trim().to_string();
        withdraw(WithdrawRequest {
            ids: None,
            batch: (!b.is_empty()).then_some(b),
            count: Some(n),
        });
    };
    let export = |format: &str| {
        let mut href = format!("/api/v1/products/{pid}/stock/export?format={format}");
        if !batch().trim().is_empty() {
            href += &format!("&batch={}", api::enc(batch().trim()));
        }
        href
    };
    let r = list.read();
    let page = match r.as_ref() {
        Some(Ok(p)) => Some(p.clone()),
        _ => None,
    };
    let load_error = match r.as_ref() {
        Some(Err(e)) => Some(e.message.clone()),
        _ => None,
    };
    let shown_from = (pages().len() as i64 - 1) * PAGE + 1;
    rsx! {
        section { id: "stock-items-panel",
            h3 { "{t(\"stock.items\")}" }
            div { class: "row filters",
                select {
                    id: "stock-status",
                    onchange: move |e| {
                        status.set(e.value());
                        pages.set(vec![0]);
                        selected.set(Vec::new());
                    },
                    option { value: "", selected: status().is_empty(), "{t(\"stock.filter_all\")}" }
                    for s in STATUSES {
                        option { key: "{s}", value: "{s}", selected: status() == s, "{tk_or(\"item_status\", s)}" }
                    }
                }
                input {
                    id: "stock-filter-batch",
                    placeholder: "{t(\"stock.batch\")}",
                    value: "{batch}",
                    onchange: move |e| {
                        batch.set(e.value());
                        pages.set(vec![0]);
                        selected.set(Vec::new());
                    },
                }
                a { class: "button", id: "export-txt", href: "{export(\"txt\")}", download: "{product.sku}-stock.txt", "{t(\"stock.export\")} TXT" }
                a { class: "button", id: "export-csv", href: "{export(\"csv\")}", download: "{product.sku}-stock.csv", "{t(\"stock.export\")} CSV" }
            }
            ErrorNote { error: load_error }
            if let Some(p) = page {
                if p.items.is_empty() {
                    p { class: "empty", "{t(\"stock.no_items\")}" }
                } else {
                    table { id: "stock-items",
                        thead {
                            tr {
                                th {}
                                th { "{t(\"stock.col_code\")}" }
                                th { "{t(\"stock.col_status\")}" }
                                th { "{t(\"stock.batch\")}" }
                                th { "{t(\"stock.col_imported\")}" }
                                th { "{t(\"stock.col_order\")}" }
                            }
                        }
                        tbody {
                            for item in p.items.iter().cloned() {
                                tr { key: "{item.id}", "data-item-id": "{item.id}",
                                    td {
                                        if item.status == "available" {
                                            input {
                                                r#type: "checkbox",
                                                class: "pick",
                                                checked: selected().contains(&item.id),
                                                onchange: move |e| {
                                                    let mut s = selected.write();
                                                    s.retain(|x| *x != item.id);
                                                    if e.checked() {
                                                        s.push(item.id);
                                                    }
                                                },
                                            }
                                        }
                                    }
                                    td { class: "mono", "{item.masked}" }
                                    td { ItemBadge { status: item.status.clone() } }
                                    td { "{item.batch}" }
                                    td { "{datetime(&item.imported_at)}" }
                                    td { OrderLink { item: item.clone() } }
                                }
                            }
                        }
                    }
                }
                div { class: "row pager",
                    span { class: "muted", id: "stock-range",
                        "{shown_from.min(p.total)}–{(shown_from - 1 + p.items.len() as i64)} {t(\"stock.of\")} {p.total}"
                    }
                    button {
                        id: "stock-prev",
                        disabled: pages().len() < 2,
                        onclick: move |_| {
                            pages.write().pop();
                        },
                        "{t(\"stock.prev\")}"
                    }
                    button {
                        id: "stock-next",
                        disabled: p.next_after.is_none(),
                        onclick: move |_| {
                            if let Some(next) = p.next_after {
                                pages.write().push(next);
                            }
                        },
                        "{t(\"stock.next\")}"
                    }
                }
            }
            div { class: "row",
                button {
                    id: "withdraw-selected",
                    disabled: selected().is_empty(),
                    onclick: withdraw_selected,
                    "{t(\"stock.withdraw_selected\")} ({selected().len()})"
                }
                label { "{t(\"stock.withdraw_count\")}"
                    input { id: "withdraw-count", r#type: "number", min: "1", value: "{count}", oninput: move |e| count.set(e.value()) }
                }
                button { id: "withdraw-count-go", onclick: withdraw_count, "{t(\"stock.withdraw\")}" }
            }
            ErrorNote { error: error() }
            OkNote { text: note() }
        }
    }
}

/// Which order got this key? Searches every stock product by the exact code.
#[component]
pub fn FindByCode() -> Element {
    let mut code = use_signal(String::new);
    let mut found = use_signal(|| None::<FindResult>);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let find = move |e: FormEvent| {
        e.prevent_default();
        let c = code();
        if c.trim().is_empty() {
            return;
        }
        busy.set(true);
        spawn(async move {
            error.set(None);
            found.set(None);
            match api::call::<_, FindResult>(
                "POST",
                "/api/v1/stock/find",
                &FindRequest {
                    code: c,
                    product_id: None,
                },
            )
            .await
            {
                // The code is not left on the screen once it did its job.
                Ok(r) => {
                    code.set(String::new());
                    found.set(Some(r));
                }
                Err(e) if e.status == 404 => {
                    code.set(String::new());
                    error.set(Some(t("stock.find_none").to_string()));
                }
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    rsx! {
        form { class: "panel find", id: "stock-find-form", onsubmit: find,
            h3 { "{t(\"stock.find_title\")}" }
            p { class: "muted small", "{t(\"stock.find_hint\")}" }
            div { class: "row",
                input {
                    id: "stock-find",
                    class: "mono grow",
                    autocomplete: "off",
                    spellcheck: "false",
                    value: "{code}",
                    oninput: move |e| code.set(e.value()),
                }
                button { id: "stock-find-go", class: "primary", r#type: "submit", disabled: busy(), "{t(\"stock.find\")}" }
            }
            div { id: "stock-found",
                ErrorNote { error: error() }
                if let Some(r) = found() {
                    ul { class: "found",
                        for f in r.found.iter().cloned() {
                            li { key: "{f.item.id}",
                                strong { "{f.product_name}" }
                                " "
                                span { class: "mono", "{f.item.masked}" }
                                " "
                                ItemBadge { status: f.item.status.clone() }
                                if !f.item.batch.is_empty() {
                                    span { class: "muted", " {t(\"stock.batch\")}: {f.item.batch}" }
                                }
                                if f.item.order.is_some() {
                                    span { " {t(\"stock.went_to\")} " }
                                }
                                OrderLink { item: f.item.clone() }
                            }
                        }
                    }
                }
            }
        }
    }
}
