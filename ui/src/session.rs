//! The seller's session (a cookie the engine set at sign-in), live updates over server-sent
//! events, and the toasts that announce them.

use crate::api;
use dioxus::prelude::*;
use futures_util::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Session {
    Checking,
    SignedIn,
    SignedOut,
}

pub static SESSION: GlobalSignal<Session> = Signal::global(|| Session::Checking);

/// Bumped when orders or deliveries change: pages showing them reload.
pub static ORDERS_TICK: GlobalSignal<u64> = Signal::global(|| 0);
/// Bumped when products or stock change.
pub static PRODUCTS_TICK: GlobalSignal<u64> = Signal::global(|| 0);
/// Bumped when a message or reply changes.
pub static MESSAGES_TICK: GlobalSignal<u64> = Signal::global(|| 0);
/// Bumped when the FAQ index moves.
pub static FAQ_TICK: GlobalSignal<u64> = Signal::global(|| 0);
/// Whether the live connection is up.
pub static LIVE: GlobalSignal<bool> = Signal::global(|| false);

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
}

pub static TOASTS: GlobalSignal<Vec<Toast>> = Signal::global(Vec::new);

/// Orders already announced, with what was said.
static ANNOUNCED: GlobalSignal<Vec<(i64, &'static str)>> = Signal::global(Vec::new);

/// Marks the session as gone (an API call answered 401).
pub fn signed_out() {
    *SESSION.write() = Session::SignedOut;
}

/// Shows a message for a few seconds.
pub fn toast(text: String) {
    let id = js_sys::Date::now() as u64 + TOASTS.peek().len() as u64;
    TOASTS.write().push(Toast { id, text });
    spawn(async move {
        api::sleep(6000).await;
        TOASTS.write().retain(|t| t.id != id);
    });
}

/// Asks the engine whether the cookie is good.
pub async fn check() {
    #[derive(serde::Deserialize)]
    struct S {
        #[allow(dead_code)]
        scope: String,
    }
    match api::get::<S>("/api/v1/session").await {
        Ok(_) => *SESSION.write() = Session::SignedIn,
        Err(e) if e.status == 401 => *SESSION.write() = Session::SignedOut,
        // AUTO is unreachable: at start there is nothing to show; later the pages stay as
        // they are and the live indicator says offline.
        Err(_) => {
            if *SESSION.peek() == Session::Checking {
                *SESSION.write() = Session::SignedOut;
            }
        }
    }
}

/// Signs out and forgets the cookie.
pub async fn logout() {
    let _ = api::call_empty("POST", "/api/v1/session/logout", api::Body::None).await;
    *SESSION.write() = Session::SignedOut;
}

/// One server-sent event: its name and data.
struct Live(String, String);

/// Opens the event stream and turns each event into page refreshes (and a toast for news).
/// The EventSource reconnects by itself; its callbacks hand events to a task in the UI's
/// runtime through a channel, because signals can only be written there.
pub fn start_live() {
    let (tx, mut rx) = futures_channel::mpsc::unbounded::<Live>();
    let Ok(es) = web_sys::EventSource::new(&api::url("/api/v1/events")) else {
        return;
    };
    for name in [
        "order",
        "orders",
        "delivery",
        "message",
        "stock",
        "low_stock",
        "faq",
        "product",
    ] {
        let tx = tx.clone();
        let cb =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data().as_string().unwrap_or_default();
                let _ = tx.unbounded_send(Live(name.to_string(), data));
            });
        let _ = es.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        cb.forget();
    }
    {
        let tx2 = tx.clone();
        let open = Closure::<dyn FnMut()>::new(move || {
            let _ = tx2.unbounded_send(Live("open".into(), String::new()));
        });
        es.set_onopen(Some(open.as_ref().unchecked_ref()));
        open.forget();
        let err = Closure::<dyn FnMut()>::new(move || {
            let _ = tx.unbounded_send(Live("error".into(), String::new()));
        });
        es.set_onerror(Some(err.as_ref().unchecked_ref()));
        err.forget();
    }
    spawn(async move {
        while let Some(Live(name, data)) = rx.next().await {
            if name == "error" {
                // The stream broke: AUTO stopped, or the session ended (then sign out).
                check().await;
            }
            if *SESSION.peek() == Session::SignedOut {
                es.close();
                break;
            }
            handle(&name, &data);
        }
    });
}

fn handle(name: &str, data: &str) {
    let v: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    match name {
        "open" => {
            // Events missed while disconnected are not replayed: refresh everything.
            if !*LIVE.peek() {
                *ORDERS_TICK.write() += 1;
                *PRODUCTS_TICK.write() += 1;
                *MESSAGES_TICK.write() += 1;
                *FAQ_TICK.write() += 1;
            }
            *LIVE.write() = true;
        }
        "error" => *LIVE.write() = false,
        "order" => {
            *ORDERS_TICK.write() += 1;
            *PRODUCTS_TICK.write() += 1;
            let id = v.get("id").and_then(|x| x.as_i64()).unwrap_or(0);
            // An order is announced once, when it first shows up paid (intake allocates at
            // once, so it may already be delivering) or stuck.
            let news = match s("status").as_str() {
                "paid" | "delivering" => Some(crate::i18n::t("toast.paid")),
                "needs_attention" => Some(crate::i18n::t("toast.attention")),
                _ => None,
            };
            if let Some(words) = news {
                if !ANNOUNCED.peek().contains(&(id, words)) {
                    ANNOUNCED.write().push((id, words));
                    toast(format!("{words}: {} ({})", s("order_sn"), s("shop")));
                }
            }
        }
        "orders" => *ORDERS_TICK.write() += 1,
        "delivery" => *ORDERS_TICK.write() += 1,
        "stock" | "product" => *PRODUCTS_TICK.write() += 1,
        // Said once per crossing by the engine, so one toast per crossing.
        "low_stock" => {
            *PRODUCTS_TICK.write() += 1;
            let available = v.get("available").and_then(|x| x.as_i64()).unwrap_or(0);
            toast(format!(
                "{}: {} ({available})",
                crate::i18n::t("toast.low_stock"),
                s("name")
            ));
        }
        "faq" => *FAQ_TICK.write() += 1,
        "message" => {
            *MESSAGES_TICK.write() += 1;
            let status = s("reply_status");
            // A question the seller must look at: drafted or waiting (not already answered).
            if !matches!(status.as_str(), "pending" | "sent") {
                toast(crate::i18n::t("toast.question").to_string());
            }
        }
        _ => {}
    }
}
