//! Orders: filters, search and paging; a row opens the order.

use crate::api::{self, enc};
use crate::format::{datetime, local_day_bound, money};
use crate::i18n::{t, tk};
use crate::route::{go, Route};
use crate::session::ORDERS_TICK;
use crate::trail_words::{line_summary, note_words};
use crate::types::{OrderPage, ProductList};
use crate::widgets::{pending, StatusBadge};
use dioxus::prelude::*;

pub const STATUSES: [&str; 9] = [
    "unpaid",
    "paid",
    "delivering",
    "needs_attention",
    "delivered",
    "completed",
    "cancelled",
    "refunded",
    "returned",
];

#[component]
pub fn Orders() -> Element {
    // A link such as the dashboard's "need attention" card opens the list filtered.
    let mut status = use_signal(|| crate::route::query_param("status").unwrap_or_default());
    let mut from = use_signal(String::new);
    let mut to = use_signal(String::new);
    let mut q = use_signal(String::new);
    let mut product = use_signal(String::new);
    // Cursors of the pages before this one, and this page's.
    let mut back = use_signal(Vec::<Option<String>>::new);
    let mut cursor = use_signal(|| None::<String>);
    let products = use_resource(|| async { api::get::<ProductList>("/api/v1/products").await });
    let page = use_resource(move || async move {
        let _ = ORDERS_TICK();
        let mut qs = vec!["limit=25".to_string()];
        let push = |qs: &mut Vec<String>, k: &str, v: String| {
            if !v.trim().is_empty() {
                qs.push(format!("{k}={}", enc(v.trim())));
            }
        };
        push(&mut qs, "status", status());
        push(&mut qs, "q", q());
        push(&mut qs, "product_id", product());
        push(
            &mut qs,
            "from",
            local_day_bound(&from(), false).unwrap_or_default(),
        );
        push(
            &mut qs,
            "to",
            local_day_bound(&to(), true).unwrap_or_default(),
        );
        push(&mut qs, "cursor", cursor().unwrap_or_default());
        api::get::<OrderPage>(&format!("/api/v1/orders?{}", qs.join("&"))).await
    });
    let mut reset = move || {
        back.set(Vec::new());
        cursor.set(None);
    };
    let r = page.read();
    let next = r
        .as_ref()
        .and_then(|p| p.as_ref().ok())
        .and_then(|p| p.next_cursor.clone());
    rsx! {
        h1 { "{t(\"nav.orders\")}" }
        form { class: "filters", onsubmit: move |e| e.prevent_default(),
            label { "{t(\"orders.status\")}"
                select {
                    id: "filter-status",
                    onchange: move |e| {
                        status.set(e.value());
                        reset();
                    },
                    option { value: "", selected: status().is_empty(), "{t(\"orders.all\")}" }
                    for s in STATUSES {
                        option { key: "{s}", value: "{s}", selected: status() == s, "{tk(\"status\", s)}" }
                    }
                }
            }
            label { "{t(\"orders.from\")}"
                input { id: "filter-from", r#type: "date", value: "{from}", onchange: move |e| { from.set(e.value()); reset(); } }
            }
            label { "{t(\"orders.to\")}"
                input { id: "filter-to", r#type: "date", value: "{to}", onchange: move |e| { to.set(e.value()); reset(); } }
            }
            label { "{t(\"orders.product\")}"
                select {
                    onchange: move |e| { product.set(e.value()); reset(); },
                    option { value: "", "{t(\"orders.all\")}" }
                    if let Some(Ok(list)) = products.read().as_ref() {
                        for p in list.products.iter() {
                            option { key: "{p.id}", value: "{p.id}", "{p.name}" }
                        }
                    }
                }
            }
            label { class: "grow", "{t(\"orders.search\")}"
                input {
                    id: "order-search",
                    r#type: "search",
                    placeholder: "{t(\"orders.search_hint\")}",
                    value: "{q}",
                    oninput: move |e| { q.set(e.value()); reset(); },
                }
            }
        }
        if let Some(el) = pending(&r) {
            {el}
        } else if let Some(Ok(p)) = r.as_ref() {
            if p.orders.is_empty() {
                p { class: "empty", "{t(\"orders.none\")}" }
            } else {
                table { class: "list", id: "orders-table",
                    thead {
                        tr {
                            th { "{t(\"orders.order\")}" }
                            th { "{t(\"orders.buyer\")}" }
                            th { "{t(\"orders.items\")}" }
                            th { class: "num", "{t(\"orders.total\")}" }
                            th { "{t(\"orders.status\")}" }
                            th { "{t(\"orders.created\")}" }
                        }
                    }
                    tbody {
                        for o in p.orders.iter() {
                            tr {
                                key: "{o.id}",
                                class: "click",
                                "data-order-sn": "{o.order_sn}",
                                onclick: {
                                    let id = o.id;
                                    move |_| go(Route::Order(id))
                                },
                                td { a { href: "/orders/{o.id}", onclick: move |e: MouseEvent| e.prevent_default(), "{o.order_sn}" }
                                    div { class: "muted small", "{o.shop}" }
                                }
                                td { "{o.buyer.username}" }
                                td { class: "lines", {o.lines.iter().map(line_summary).collect::<Vec<_>>().join(", ")} }
                                td { class: "num", "{money(o.total, &o.currency)}" }
                                td { StatusBadge { status: o.status.clone() }
                                    if let Some(reason) = &o.attention_reason {
                                        div { class: "muted small attention",
                                            {note_words(Some(reason), &o.attention_params, o.attention_detail.as_deref().unwrap_or_default())}
                                        }
                                    }
                                }
                                td { "{datetime(&o.created_at)}" }
                            }
                        }
                    }
                }
            }
        }
        div { class: "pager",
            button {
                disabled: back.read().is_empty(),
                onclick: move |_| {
                    let prev = back.write().pop().flatten();
                    cursor.set(prev);
                },
                "← {t(\"pager.prev\")}"
            }
            button {
                disabled: next.is_none(),
                onclick: move |_| {
                    let cur = cursor();
                    back.write().push(cur);
                    cursor.set(next.clone());
                },
                "{t(\"pager.next\")} →"
            }
        }
    }
}
