//! The catalog: every product with its kind, price and stock.

use crate::api;
use crate::format::money;
use crate::i18n::{t, tk};
use crate::route::{go, Route};
use crate::session::PRODUCTS_TICK;
use crate::types::ProductList;
use crate::widgets::pending;
use dioxus::prelude::*;

#[component]
pub fn Products() -> Element {
    let list = use_resource(move || async move {
        let _ = PRODUCTS_TICK();
        api::get::<ProductList>("/api/v1/products").await
    });
    let r = list.read();
    rsx! {
        div { class: "page-head",
            h1 { "{t(\"nav.products\")}" }
            button { id: "new-product", class: "primary", onclick: move |_| go(Route::Product(None)), "+ {t(\"products.new\")}" }
        }
        if let Some(el) = pending(&r) {
            {el}
        } else if let Some(Ok(l)) = r.as_ref() {
            if l.products.is_empty() {
                p { class: "empty", "{t(\"products.none\")}" }
            }
            table { class: "list", id: "products-table",
                thead {
                    tr {
                        th { "{t(\"product.name\")}" }
                        th { "SKU" }
                        th { "{t(\"product.kind\")}" }
                        th { class: "num", "{t(\"product.price\")}" }
                        th { class: "num", "{t(\"stock.available\")}" }
                        th {}
                    }
                }
                tbody {
                    for p in l.products.iter() {
                        tr { key: "{p.id}", class: if p.active { "click" } else { "click inactive" },
                            onclick: {
                                let id = p.id;
                                move |_| go(Route::Product(Some(id)))
                            },
                            td { "{p.name}" }
                            td { "{p.sku}" }
                            td { "{tk(\"kind\", p.kind.as_str())}" }
                            td { class: "num", "{money(p.price, &p.currency)}" }
                            td { class: "num",
                                if p.has_stock() {
                                    span { class: if p.stock.low_stock { "badge st-needs_attention" } else { "" }, "{p.stock.available}" }
                                } else {
                                    "—"
                                }
                            }
                            td {
                                if p.has_stock() {
                                    button {
                                        onclick: {
                                            let id = p.id;
                                            move |e: MouseEvent| {
                                                e.stop_propagation();
                                                go(Route::Stock(Some(id)));
                                            }
                                        },
                                        "{t(\"products.stock\")}"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
