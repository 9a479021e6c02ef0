//! AUTO's web UI: the pages a seller uses, drawn by Dioxus in WebAssembly and fed only by the
//! engine's `/api/v1` API.

mod api;
mod charts;
mod chat_parts;
mod format;
mod guide;
mod i18n;
mod pages;
mod route;
mod session;
mod trail_words;
mod types;
mod widgets;

use dioxus::prelude::*;
use i18n::{t, Lang, LANG};
use route::{Route, ROUTE};
use session::{Session, SESSION};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(start)]
pub fn start() {
    dioxus::launch(app);
}

fn app() -> Element {
    use_hook(|| {
        i18n::load();
        // Back and forward buttons: the callback only flags; the task updates the route.
        let (tx, mut rx) = futures_channel::mpsc::unbounded::<()>();
        let cb = Closure::<dyn FnMut()>::new(move || {
            let _ = tx.unbounded_send(());
        });
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("popstate", cb.as_ref().unchecked_ref());
        }
        cb.forget();
        spawn(async move {
            use futures_util::StreamExt;
            while rx.next().await.is_some() {
                route::on_popstate();
            }
        });
        spawn(async move {
            session::check().await;
            if *SESSION.peek() == Session::SignedIn {
                session::start_live();
            }
        });
    });
    let lang = LANG();
    use_effect(move || {
        let l = LANG();
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = el.set_attribute("lang", l.code());
        }
    });
    match SESSION() {
        Session::Checking => rsx! { p { class: "loading", "{t(\"loading\")}" } },
        Session::SignedOut => rsx! { SignedOut {} },
        Session::SignedIn => rsx! {
            div { class: "shell", "data-lang": lang.code(),
                Nav {}
                main {
                    if ROUTE() == Route::Dashboard {
                        guide::Guide {}
                    }
                    Page {}
                }
                Toasts {}
            }
        },
    }
}

#[component]
fn Page() -> Element {
    match ROUTE() {
        Route::Dashboard => rsx! { pages::dashboard::Dashboard {} },
        Route::Orders => rsx! { pages::orders::Orders {} },
        Route::Order(id) => rsx! { pages::order::OrderPage { id } },
        Route::Products => rsx! { pages::products::Products {} },
        Route::Product(id) => rsx! { pages::product::ProductEdit { id } },
        Route::Stock(id) => rsx! { pages::stock::Stock { id } },
        Route::Faq => rsx! { pages::faq::Faq {} },
        Route::Conversations(id) => rsx! { pages::conversations::Conversations { id } },
        Route::Settings => rsx! { pages::settings::Settings {} },
    }
}

#[component]
fn Nav() -> Element {
    let here = ROUTE();
    let items = [
        (Route::Dashboard, "nav.dashboard"),
        (Route::Orders, "nav.orders"),
        (Route::Products, "nav.products"),
        (Route::Stock(None), "nav.stock"),
        (Route::Faq, "nav.faq"),
        (Route::Conversations(None), "nav.conversations"),
        (Route::Settings, "nav.settings"),
    ];
    let live = session::LIVE();
    // Questions waiting for the seller, shown on the Conversations link.
    let waiting = use_resource(move || async move {
        let _ = session::MESSAGES_TICK();
        api::get::<types::ConversationPage>("/api/v1/conversations?open=true&limit=100")
            .await
            .map(|p| {
                p.conversations
                    .iter()
                    .map(|c| c.open_questions)
                    .sum::<i64>()
            })
            .unwrap_or(0)
    });
    let waiting = waiting.read().unwrap_or(0);
    rsx! {
        nav { class: "top",
            span { class: "brand", "AUTO" }
            for (r, key) in items {
                a {
                    key: "{key}",
                    href: "{route::path(&r)}",
                    class: if same_section(&here, &r) { "active" } else { "" },
                    onclick: move |e: MouseEvent| {
                        e.prevent_default();
                        route::go(r.clone());
                    },
                    "{t(key)}"
                    if key == "nav.conversations" && waiting > 0 {
                        span { class: "count", id: "waiting-count", "{waiting}" }
                    }
                }
            }
            span { class: "spacer" }
            span {
                class: if live { "live on" } else { "live" },
                title: "{t(\"live.title\")}",
                if live { "● {t(\"live.on\")}" } else { "○ {t(\"live.off\")}" }
            }
            LangSwitch {}
        }
    }
}

fn same_section(a: &Route, b: &Route) -> bool {
    use Route::*;
    matches!(
        (a, b),
        (Dashboard, Dashboard)
            | (Orders | Order(_), Orders)
            | (Products | Product(_), Products)
            | (Stock(_), Stock(_))
            | (Faq, Faq)
            | (Conversations(_), Conversations(_))
            | (Settings, Settings)
    )
}

/// The language picker, remembered in the browser.
#[component]
pub fn LangSwitch() -> Element {
    let lang = LANG();
    rsx! {
        select {
            class: "lang",
            id: "lang",
            "aria-label": "{t(\"lang.label\")}",
            onchange: move |e| i18n::set(Lang::from_code(&e.value())),
            option { value: "en", selected: lang == Lang::En, "English" }
            option { value: "id", selected: lang == Lang::Id, "Bahasa Indonesia" }
        }
    }
}

#[component]
fn Toasts() -> Element {
    rsx! {
        div { class: "toasts", role: "status", "aria-live": "polite",
            for toast in session::TOASTS() {
                div { key: "{toast.id}", class: "toast", "{toast.text}" }
            }
        }
    }
}

#[component]
fn SignedOut() -> Element {
    rsx! {
        div { class: "signedout",
            div { class: "corner", LangSwitch {} }
            h1 { "AUTO" }
            h2 { "{t(\"signedout.title\")}" }
            p { "{t(\"signedout.body\")}" }
            pre { "auto signin" }
        }
    }
}
