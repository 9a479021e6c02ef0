//! Settings → Shopee API: the seller's own Open Platform app (partner id, a write-only key, the
//! host) and connecting shops through Shopee's authorization page; the connected shops are in
//! `shopee_shops`. The browser extension stays the other road.

use crate::api;
use crate::i18n::t;
use crate::pages::shopee_shops::{self, shop_label};
use crate::types::{AppInput, AuthorizeLink, ConnectInput, ShopeeApp, ShopeeShopOut};
use crate::widgets::{ErrorNote, OkNote};
use dioxus::prelude::*;

/// Shopee's hosts, as the engine stores "live" and "test".
const LIVE_HOST: &str = "https://partner.shopeemobile.com";
const TEST_HOST: &str = "https://partner.test-stable.shopeemobile.com";

#[component]
pub fn ShopeeApi() -> Element {
    let app = use_signal(|| None::<ShopeeApp>);
    // Bumped when this page changed the shops (connected, disconnected, synced).
    let shops_tick = use_signal(|| 0u32);
    // The authorization link last made, and what went wrong making or using one.
    let link = use_signal(|| None::<String>);
    let connect_error = use_signal(|| None::<String>);
    let configured = app().map(|a| a.configured).unwrap_or(false);
    rsx! {
        section { class: "panel", id: "shopee-api",
            h2 { "{t(\"shopee.title\")}" }
            p { class: "muted small", "{t(\"shopee.about\")}" }
            AppForm { app }
            if configured {
                Connect { shops_tick, link, error: connect_error }
                shopee_shops::Shops { shops_tick, link, connect_error }
            }
        }
    }
}

#[component]
fn AppForm(app: Signal<Option<ShopeeApp>>) -> Element {
    let mut app = app;
    let mut partner = use_signal(String::new);
    // Write-only: never filled from the engine, emptied after each save.
    let mut key = use_signal(String::new);
    let mut host = use_signal(|| "live".to_string());
    let mut custom = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut saved = use_signal(|| None::<String>);
    let mut fill = move |v: ShopeeApp| {
        partner.set(v.partner_id.map(|p| p.to_string()).unwrap_or_default());
        let (h, c) = match v.base_url.as_deref() {
            None | Some(LIVE_HOST) => ("live", String::new()),
            Some(TEST_HOST) => ("test", String::new()),
            Some(other) => ("custom", other.to_string()),
        };
        host.set(h.to_string());
        custom.set(c);
        app.set(Some(v));
    };
    use_hook(move || {
        spawn(async move {
            match api::get::<ShopeeApp>("/api/v1/shopee/app").await {
                Ok(v) => fill(v),
                Err(e) => error.set(Some(e.message)),
            }
        })
    });
    let save = move |e: FormEvent| {
        e.prevent_default();
        error.set(None);
        saved.set(None);
        let Some(id) = partner().trim().parse::<i64>().ok().filter(|i| *i > 0) else {
            error.set(Some(t("shopee.err_partner_id").to_string()));
            return;
        };
        if key().trim().is_empty() {
            error.set(Some(t("shopee.err_key").to_string()));
            return;
        }
        let base = match host().as_str() {
            "custom" => custom().trim().to_string(),
            h => h.to_string(),
        };
        let body = AppInput {
            partner_id: id,
            partner_key: key(),
            base_url: base,
        };
        spawn(async move {
            match api::call::<_, ShopeeApp>("PUT", "/api/v1/shopee/app", &body).await {
                Ok(v) => {
                    key.set(String::new());
                    fill(v);
                    saved.set(Some(t("product.saved").to_string()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let current = app();
    let configured = current.as_ref().is_some_and(|a| a.configured);
    rsx! {
        form { id: "shopee-app", onsubmit: save,
            if let Some(a) = current.as_ref().filter(|a| a.configured) {
                p { class: "ok small", id: "shopee-app-state",
                    "{t(\"shopee.app_set\")} {a.partner_id.unwrap_or(0)} · {a.base_url.clone().unwrap_or_default()}"
                }
            } else if current.is_some() {
                p { class: "muted small", id: "shopee-app-state", "{t(\"shopee.app_none\")}" }
            }
            label { "{t(\"shopee.partner_id\")}"
                input { id: "shopee-partner-id", inputmode: "numeric", autocomplete: "off", value: "{partner}", oninput: move |e| partner.set(e.value()) }
            }
            label { "{t(\"shopee.partner_key\")}"
                input { id: "shopee-key", r#type: "password", autocomplete: "new-password",
                    placeholder: if configured { t("shopee.key_kept") } else { t("shopee.key_none") },
                    value: "{key}", oninput: move |e| key.set(e.value()) }
            }
            label { "{t(\"shopee.host\")}"
                select { id: "shopee-host", onchange: move |e| host.set(e.value()),
                    option { value: "live", selected: host() == "live", "{t(\"shopee.host_live\")}" }
                    option { value: "test", selected: host() == "test", "{t(\"shopee.host_test\")}" }
                    option { value: "custom", selected: host() == "custom", "{t(\"shopee.host_custom\")}" }
                }
            }
            if host() == "custom" {
                label { "{t(\"shopee.base_url\")}"
                    input { id: "shopee-base", placeholder: "http://127.0.0.1:9000", value: "{custom}", oninput: move |e| custom.set(e.value()) }
                }
            }
            button { id: "shopee-save", class: "primary", r#type: "submit", "{t(\"save\")}" }
            ErrorNote { error: error() }
            OkNote { text: saved() }
        }
    }
}

/// Asks the engine for a fresh authorization link and opens Shopee's page in a new tab; the
/// link also stays on the page, for a window that does not open tabs.
pub(super) fn authorize(mut link: Signal<Option<String>>, mut error: Signal<Option<String>>) {
    error.set(None);
    spawn(async move {
        match api::get::<AuthorizeLink>("/api/v1/shopee/authorize").await {
            Ok(l) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.open_with_url_and_target_and_features(&l.url, "_blank", "noopener");
                }
                link.set(Some(l.url));
            }
            Err(e) => error.set(Some(e.message)),
        }
    });
}

#[component]
fn Connect(
    shops_tick: Signal<u32>,
    link: Signal<Option<String>>,
    error: Signal<Option<String>>,
) -> Element {
    let mut shops_tick = shops_tick;
    let mut link = link;
    let mut error = error;
    let mut landing = use_signal(String::new);
    let mut done = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let paste = move |e: FormEvent| {
        e.prevent_default();
        done.set(None);
        error.set(None);
        let url = landing().trim().to_string();
        if url.is_empty() {
            error.set(Some(t("shopee.err_landing_empty").to_string()));
            return;
        }
        busy.set(true);
        spawn(async move {
            let body = ConnectInput::Url { url };
            match api::call::<_, ShopeeShopOut>("POST", "/api/v1/shopee/shops", &body).await {
                Ok(o) => {
                    landing.set(String::new());
                    link.set(None);
                    done.set(Some(format!(
                        "{} {}",
                        shop_label(&o.shop),
                        t("shopee.connected")
                    )));
                    *shops_tick.write() += 1;
                }
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    rsx! {
        div { id: "shopee-connect",
            h3 { "{t(\"shopee.connect\")}" }
            p { class: "muted small", "{t(\"shopee.connect_hint\")}" }
            button { id: "shopee-connect-button", class: "primary", onclick: move |_| { done.set(None); authorize(link, error) }, "{t(\"shopee.connect\")}" }
            if let Some(url) = link() {
                p {
                    a { id: "shopee-auth-link", href: "{url}", target: "_blank", rel: "noopener noreferrer", "{t(\"shopee.open_link\")}" }
                }
                label { "{t(\"shopee.link_label\")}"
                    input { id: "shopee-auth-url", readonly: true, value: "{url}", onfocus: move |_| select_text("shopee-auth-url") }
                }
            }
            form { id: "shopee-paste", onsubmit: paste,
                p { class: "muted small", "{t(\"shopee.paste_hint\")}" }
                div { class: "row",
                    label { class: "grow", "{t(\"shopee.landing\")}"
                        input { id: "shopee-landing", placeholder: "https://…?code=…&shop_id=…", value: "{landing}", oninput: move |e| landing.set(e.value()) }
                    }
                    button { id: "shopee-landing-connect", r#type: "submit", disabled: busy(), "{t(\"shopee.connect_pasted\")}" }
                }
            }
            ErrorNote { error: error() }
            OkNote { text: done() }
        }
    }
}

/// Selects the text of an input (the link, for copying).
fn select_text(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.select();
    }
}
