//! Today at a glance and the last 7 or 30 days as charts.

use crate::api;
use crate::charts::{Bar, BarChart, Part, ShareBar};
use crate::format::{datetime, day, money, percent, short, tz_offset_minutes};
use crate::i18n::t;
use crate::route::{go, go_query, Route};
use crate::session::{MESSAGES_TICK, ORDERS_TICK, PRODUCTS_TICK};
use crate::types::{Amount, Dashboard as Stats};
use crate::widgets::pending;
use dioxus::prelude::*;

#[component]
pub fn Dashboard() -> Element {
    let mut days = use_signal(|| 7u32);
    let stats = use_resource(move || async move {
        let _ = (ORDERS_TICK(), PRODUCTS_TICK(), MESSAGES_TICK());
        let n = days();
        api::get::<Stats>(&format!(
            "/api/v1/stats/dashboard?days={n}&tz_offset_minutes={}",
            tz_offset_minutes()
        ))
        .await
    });
    let r = stats.read();
    if let Some(el) = pending(&r) {
        return rsx! { h1 { "{t(\"nav.dashboard\")}" } {el} };
    }
    let Some(Ok(s)) = r.as_ref() else {
        return rsx! {};
    };
    let order_bars: Vec<Bar> = s
        .days
        .iter()
        .map(|d| Bar {
            label: day(&d.date),
            value: d.orders as f64,
            inner: Some(d.delivered as f64),
            tip: format!(
                "{}: {} {}, {} {}",
                day(&d.date),
                d.orders,
                t("dash.orders").to_lowercase(),
                d.delivered,
                t("dash.delivered").to_lowercase()
            ),
        })
        .collect();
    let currencies = currencies(s);
    let a = &s.answers;
    let answer_parts = vec![
        Part {
            label: t("dash.by_faq").into(),
            value: a.faq as f64,
            class: "faq".into(),
        },
        Part {
            label: t("dash.by_llm").into(),
            value: a.llm as f64,
            class: "llm".into(),
        },
        Part {
            label: t("dash.waiting").into(),
            value: a.waiting as f64,
            class: "wait".into(),
        },
    ];
    let rate = if a.auto_rate > 1.0 {
        a.auto_rate / 100.0
    } else {
        a.auto_rate
    };
    // No questions yet: there is no rate to show.
    let rate_text = if a.total == 0 {
        "—".to_string()
    } else {
        percent(rate)
    };
    rsx! {
        div { class: "page-head",
            h1 { "{t(\"nav.dashboard\")}" }
            div { class: "seg",
                for n in [7u32, 30] {
                    button {
                        key: "{n}",
                        class: if days() == n { "on" } else { "" },
                        onclick: move |_| days.set(n),
                        "{n} {t(\"dash.days\")}"
                    }
                }
            }
        }
        if let Some(h) = s.extension.as_ref().filter(|h| h.unreadable > 0) {
            // Shopee changed a page the extension reads: say so, and where the samples are.
            div { class: "banner warn", id: "extension-warning",
                strong { "{t(\"dash.ext_unreadable\")}" }
                " {h.unreadable} — {h.last_path.clone().unwrap_or_default()}. {t(\"dash.ext_unreadable_help\")}"
            }
        }
        if s.unknown_status > 0 {
            div { class: "banner warn", id: "unknown-status-warning",
                a {
                    href: "/orders?status=unpaid",
                    onclick: move |e: MouseEvent| {
                        e.prevent_default();
                        go_query(Route::Orders, "status=unpaid");
                    },
                    "{t(\"dash.unknown_status\")}: {s.unknown_status}"
                }
            }
        }
        section { class: "cards", id: "today",
            Card { label: t("dash.today_orders"), value: s.today.orders.to_string() }
            Card { label: t("dash.today_delivered"), value: s.today.delivered.to_string() }
            Card { label: t("dash.today_revenue"), value: revenue_text(&s.today.revenue) }
            Card {
                label: t("dash.pending"),
                value: s.pending_deliveries.to_string(),
                warn: s.pending_deliveries > 0,
                onclick: move |_| go_query(Route::Orders, "status=delivering"),
            }
            Card {
                label: t("dash.attention"),
                value: s.needs_attention.to_string(),
                warn: s.needs_attention > 0,
                onclick: move |_| go_query(Route::Orders, "status=needs_attention"),
            }
            Card { label: t("dash.auto_rate"), value: rate_text.clone() }
        }
        section { class: "charts",
            BarChart {
                // The caption follows the data shown, not the button (the new figures may still load).
                title: format!("{} ({} {})", t("dash.orders_chart"), s.days.len(), t("dash.days")),
                bars: order_bars,
                axis: move |v: f64| format!("{v:.0}"),
            }
            for cur in currencies {
                BarChart {
                    key: "{cur}",
                    title: format!("{} {cur}", t("dash.revenue_chart")),
                    bars: revenue_bars(s, &cur),
                    axis: move |v: f64| short(v),
                }
            }
        }
        section { class: "split",
            div { class: "panel",
                h2 { "{t(\"dash.answers\")}" }
                p { class: "big", "{rate_text}" }
                p { class: "muted", "{t(\"dash.answers_total\")}: {a.total}" }
                ShareBar { parts: answer_parts }
            }
            div { class: "panel", id: "stock-warnings",
                h2 { "{t(\"dash.stock_warnings\")}" }
                if s.stock_warnings.is_empty() {
                    p { class: "muted", "{t(\"dash.stock_ok\")}" }
                }
                ul { class: "warnings",
                    for w in s.stock_warnings.iter() {
                        li { key: "{w.product_id}",
                            a {
                                href: "/stock/{w.product_id}",
                                onclick: {
                                    let id = w.product_id;
                                    move |e: MouseEvent| {
                                        e.prevent_default();
                                        go(Route::Stock(Some(id)));
                                    }
                                },
                                "{w.name}"
                            }
                            span { class: if w.available == 0 { "badge st-needs_attention" } else { "badge st-paid" },
                                "{w.available} / {w.threshold}"
                            }
                            if w.waiting > 0 {
                                a {
                                    class: "badge st-needs_attention waiting",
                                    href: "/orders?status=needs_attention",
                                    onclick: move |e: MouseEvent| {
                                        e.prevent_default();
                                        go_query(Route::Orders, "status=needs_attention");
                                    },
                                    "{w.waiting} {t(\"dash.waiting_orders\")}"
                                }
                            }
                            if let Some(since) = w.low_since.as_ref() {
                                span { class: "muted small", " {t(\"dash.low_since\")} {datetime(since)}" }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn Card(
    label: String,
    value: String,
    #[props(default)] warn: bool,
    onclick: Option<EventHandler<MouseEvent>>,
) -> Element {
    rsx! {
        div {
            class: match (warn, onclick.is_some()) {
                (true, true) => "card warn click",
                (true, false) => "card warn",
                (false, true) => "card click",
                (false, false) => "card",
            },
            onclick: move |e| {
                if let Some(h) = &onclick {
                    h.call(e)
                }
            },
            div { class: "value", "{value}" }
            div { class: "label", "{label}" }
        }
    }
}

fn revenue_text(rev: &[Amount]) -> String {
    if rev.is_empty() {
        return "0".into();
    }
    rev.iter()
        .map(|a| money(a.amount, &a.currency))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Every currency that earned something in the period, the biggest earner first.
fn currencies(s: &Stats) -> Vec<String> {
    let mut seen: Vec<(String, f64)> = Vec::new();
    for a in s.days.iter().flat_map(|d| d.revenue.iter()) {
        match seen.iter_mut().find(|(c, _)| *c == a.currency) {
            Some((_, v)) => *v += a.amount,
            None => seen.push((a.currency.clone(), a.amount)),
        }
    }
    seen.sort_by(|a, b| b.1.total_cmp(&a.1));
    seen.into_iter().map(|(c, _)| c).collect()
}

fn revenue_bars(s: &Stats, cur: &str) -> Vec<Bar> {
    s.days
        .iter()
        .map(|d| {
            let v = d
                .revenue
                .iter()
                .filter(|a| a.currency == cur)
                .map(|a| a.amount)
                .sum::<f64>();
            Bar {
                label: day(&d.date),
                value: v,
                inner: None,
                tip: format!("{}: {}", day(&d.date), money(v, cur)),
            }
        })
        .collect()
}
