//! The first-run guide: product → stock → pair the extension → FAQ. Each step ticks itself off
//! from real data; dismissing it is remembered in this browser.

use crate::api;
use crate::i18n::{t, tk};
use crate::route::{go, Route};
use crate::session::{FAQ_TICK, PRODUCTS_TICK};
use crate::types::{FaqPage, ProductList, Scope, TokenList};
use dioxus::prelude::*;

const KEY: &str = "auto.guide.dismissed";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn dismissed() -> bool {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .is_some()
}

/// What is done so far.
#[derive(Clone, Copy, PartialEq, Default)]
struct Done {
    product: bool,
    stock: bool,
    paired: bool,
    faq: bool,
}

async fn progress() -> Done {
    let products = api::get::<ProductList>("/api/v1/products")
        .await
        .unwrap_or_default();
    // The demo catalog does not count: the guide is about the seller's own products.
    let own: Vec<_> = products
        .products
        .iter()
        .filter(|p| !p.sku.starts_with("DEMO-"))
        .collect();
    let tokens = api::get::<TokenList>("/api/v1/tokens")
        .await
        .unwrap_or_default();
    let faq = api::get::<FaqPage>("/api/v1/faq?limit=1")
        .await
        .unwrap_or_default();
    Done {
        product: !own.is_empty(),
        stock: own.iter().any(|p| p.has_stock() && p.stock.total > 0),
        paired: tokens
            .tokens
            .iter()
            .any(|t| t.scope == Scope::Extension && t.revoked_at.is_none()),
        faq: faq.total > 0,
    }
}

#[component]
pub fn Guide() -> Element {
    let mut hidden = use_signal(dismissed);
    let done = use_resource(move || async move {
        let _ = (PRODUCTS_TICK(), FAQ_TICK());
        progress().await
    });
    if hidden() {
        return rsx! {};
    }
    let d = done.read().unwrap_or_default();
    let steps = [
        ("guide.product", d.product, Route::Product(None)),
        ("guide.stock", d.stock, Route::Stock(None)),
        ("guide.pair", d.paired, Route::Settings),
        ("guide.faq", d.faq, Route::Faq),
    ];
    let all = steps.iter().all(|s| s.1);
    rsx! {
        aside { class: "guide", id: "guide",
            div { class: "page-head",
                h2 { "{t(\"guide.title\")}" }
                button {
                    id: "guide-dismiss",
                    onclick: move |_| {
                        if let Some(s) = storage() {
                            let _ = s.set_item(KEY, "1");
                        }
                        hidden.set(true);
                    },
                    "{t(\"guide.dismiss\")}"
                }
            }
            p { class: "muted", if all { "{t(\"guide.all_done\")}" } else { "{t(\"guide.intro\")}" } }
            ol {
                for (i, (key, ok, r)) in steps.into_iter().enumerate() {
                    li { key: "{key}", class: if ok { "done" } else { "" },
                        span { class: "step", if ok { "✓" } else { "{i + 1}" } }
                        a {
                            href: "{crate::route::path(&r)}",
                            onclick: move |e: MouseEvent| {
                                e.prevent_default();
                                go(r.clone());
                            },
                            strong { "{t(key)}" }
                        }
                        span { class: "muted small", " — {tk(key, \"hint\")}" }
                    }
                }
            }
        }
    }
}
