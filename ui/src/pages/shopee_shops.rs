//! The shops connected through the Shopee API: their authorization (with the "authorize
//! again" warning), syncs, first-sync progress and errors; "Sync now" and disconnecting.

use crate::api;
use crate::format::datetime;
use crate::i18n::t;
use crate::pages::shopee_settings::authorize;
use crate::types::{ShopeeShop, ShopeeShopList, SyncReport};
use crate::widgets::{confirm, ErrorNote, Progress};
use auto_api::chrono::{DateTime, Utc};
use dioxus::prelude::*;
use serde_json::json;

/// A shop's name, or "Shop <id>" while Shopee has not told it.
pub(super) fn shop_label(shop: &ShopeeShop) -> String {
    shop.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("{} {}", t("shopee.shop"), shop.shop_id))
}

/// Whether an instant has passed, by the browser's clock.
fn past(at: &DateTime<Utc>) -> bool {
    at.timestamp_millis() as f64 <= js_sys::Date::now()
}

#[component]
pub(super) fn Shops(
    shops_tick: Signal<u32>,
    link: Signal<Option<String>>,
    connect_error: Signal<Option<String>>,
) -> Element {
    let mut shops_tick = shops_tick;
    let mut shops = use_signal(|| None::<Vec<ShopeeShop>>);
    // What the last sync or disconnect said; what reading the list said (kept apart: the
    // list is read again after every action).
    let mut error = use_signal(|| None::<String>);
    let mut load_error = use_signal(|| None::<String>);
    let mut report = use_signal(|| None::<SyncReport>);
    let mut syncing = use_signal(|| false);
    use_future(move || async move {
        loop {
            let seen = *shops_tick.peek();
            let busy = match api::get::<ShopeeShopList>("/api/v1/shopee/shops").await {
                Ok(l) => {
                    let busy = l.shops.iter().any(|s| !s.first_sync.finished);
                    shops.set(Some(l.shops));
                    load_error.set(None);
                    busy
                }
                Err(e) => {
                    load_error.set(Some(e.message));
                    false
                }
            };
            // Quickly while a first sync runs or a link is out (the shop may connect in the
            // other tab); otherwise now and then, or when this page changed something.
            let wait = if busy || link.peek().is_some() {
                2_000
            } else {
                15_000
            };
            let mut waited = 0;
            while waited < wait && *shops_tick.peek() == seen {
                api::sleep(250).await;
                waited += 250;
            }
        }
    });
    let sync = move |_| {
        syncing.set(true);
        error.set(None);
        report.set(None);
        spawn(async move {
            match api::call::<_, SyncReport>("POST", "/api/v1/shopee/sync", &json!({})).await {
                Ok(r) => report.set(Some(r)),
                Err(e) => error.set(Some(e.message)),
            }
            syncing.set(false);
            *shops_tick.write() += 1;
        });
    };
    let list = shops().unwrap_or_default();
    let name_of = |id: u64| {
        list.iter()
            .find(|s| s.shop_id == id)
            .map(shop_label)
            .unwrap_or_else(|| format!("{} {id}", t("shopee.shop")))
    };
    rsx! {
        div { id: "shopee-shops-panel",
            div { class: "page-head",
                h3 { "{t(\"shopee.shops\")}" }
                button { id: "shopee-sync", disabled: syncing(), onclick: sync, "{t(\"shopee.sync_now\")}" }
            }
            if shops().is_some() && list.is_empty() {
                p { class: "empty", "{t(\"shopee.no_shops\")}" }
            }
            if !list.is_empty() {
                table { class: "list", id: "shopee-shops",
                    thead { tr {
                        th { "{t(\"shopee.shop\")}" }
                        th { "{t(\"shopee.access\")}" }
                        th { "{t(\"shopee.authorization\")}" }
                        th { "{t(\"shopee.last_sync\")}" }
                        th { class: "num", "{t(\"shopee.orders_pulled\")}" }
                        th {}
                    } }
                    tbody {
                        for s in list.iter() {
                            ShopRow { key: "{s.shop_id}", shop: s.clone(), shops_tick, link, connect_error, error }
                        }
                    }
                }
            }
            if syncing() {
                Progress { label: t("shopee.syncing").to_string(), done: 0, total: 0 }
            }
            if let Some(r) = report() {
                div { id: "shopee-sync-report",
                    if r.shops.is_empty() {
                        p { class: "muted", "{t(\"shopee.sync_no_shops\")}" }
                    } else {
                        p { class: "ok", "{t(\"shopee.sync_done\")}" }
                        table { class: "list",
                            thead { tr {
                                th { "{t(\"shopee.shop\")}" }
                                th { class: "num", "{t(\"shopee.orders_new\")}" }
                                th { class: "num", "{t(\"shopee.deliveries_sent\")}" }
                                th { class: "num", "{t(\"shopee.replies_sent\")}" }
                                th { class: "num", "{t(\"shopee.refused\")}" }
                                th { class: "num", "{t(\"shopee.messages\")}" }
                                th { class: "num", "{t(\"shopee.calls\")}" }
                                th { "{t(\"shopee.error\")}" }
                            } }
                            tbody {
                                for s in r.shops.iter() {
                                    tr { key: "{s.shop_id}", "data-shop-id": "{s.shop_id}",
                                        td { "{name_of(s.shop_id)}" }
                                        td { class: "num", "{s.orders_new} ({t(\"shopee.orders_seen\")} {s.orders_seen})" }
                                        td { class: "num", "{s.deliveries_sent}" }
                                        td { class: "num", "{s.replies_sent}" }
                                        td { class: "num", "{s.refused}" }
                                        td { class: "num", "{s.messages}" }
                                        td { class: "num", "{s.calls}" }
                                        td {
                                            if let Some(e) = &s.error {
                                                span { class: "error", "{e}" }
                                            } else {
                                                span { class: "ok", "{t(\"shopee.ok\")}" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            ErrorNote { error: error() }
            ErrorNote { error: load_error() }
        }
    }
}

#[component]
fn ShopRow(
    shop: ShopeeShop,
    shops_tick: Signal<u32>,
    link: Signal<Option<String>>,
    connect_error: Signal<Option<String>>,
    error: Signal<Option<String>>,
) -> Element {
    let mut shops_tick = shops_tick;
    let mut error = error;
    let s = &shop;
    let name = shop_label(s);
    let id = s.shop_id;
    let disconnect = {
        let name = name.clone();
        move |_| {
            if !confirm(&t("shopee.confirm_disconnect").replace("{shop}", &name)) {
                return;
            }
            error.set(None);
            spawn(async move {
                let path = format!("/api/v1/shopee/shops/{id}");
                match api::call_empty("DELETE", &path, api::Body::None).await {
                    Ok(()) => *shops_tick.write() += 1,
                    Err(e) => error.set(Some(e.message)),
                }
            });
        }
    };
    let first = &s.first_sync;
    let ended = past(&s.refresh_expires_at);
    rsx! {
        tr { "data-shop-id": "{id}", class: if first.finished { "" } else { "has-progress" },
            td {
                strong { "{name}" }
                div { class: "muted small", "ID {id}" }
            }
            td {
                "{t(\"shopee.until\")} {datetime(&s.access_expires_at)}"
                if past(&s.access_expires_at) {
                    div { class: "muted small", "{t(\"shopee.access_expired\")}" }
                }
            }
            td {
                "{t(\"shopee.until\")} {datetime(&s.refresh_expires_at)}"
                if s.reauthorize_soon || ended {
                    p { class: "warn reauthorize", role: "alert",
                        if ended { "{t(\"shopee.reauthorize_expired\")}" } else { "{t(\"shopee.reauthorize\")}" }
                    }
                    button { class: "primary", onclick: move |_| authorize(link, connect_error), "{t(\"shopee.authorize_again\")}" }
                }
            }
            td {
                if let Some(at) = &s.last_sync_at {
                    "{datetime(at)}"
                } else {
                    span { class: "muted", "{t(\"shopee.never\")}" }
                }
                if let Some(e) = &s.last_error {
                    p { class: "error small last-error", "{t(\"shopee.last_error\")} {e}" }
                }
            }
            td { class: "num", "{s.orders_pulled}" }
            td {
                button { class: "danger", onclick: disconnect, "{t(\"shopee.disconnect\")}" }
            }
        }
        if !first.finished {
            tr { class: "first-sync", "data-shop-id": "{id}",
                td { colspan: "6",
                    if let Some(total) = first.total.filter(|n| *n > 0) {
                        Progress { label: t("shopee.first_sync").to_string(), done: first.done.max(0) as u64, total: total as u64 }
                    } else {
                        Progress { label: format!("{} {}", t("shopee.first_sync_so_far"), first.done), done: 0, total: 0 }
                    }
                }
            }
        }
    }
}
