//! Settings: auto-delivery, extension pairing, the Shopee API road (see `shopee_settings`), the
//! assistant (see `assistant_settings`), backup and restore, and where the data lives.

use crate::api;
use crate::format::datetime;
use crate::i18n::t;
use crate::pages::{assistant_settings, shopee_settings};
use crate::types::{DeliverySettings, DeliverySettingsChange, PairingCode, SystemInfo, TokenList};
use crate::widgets::{ErrorNote, OkNote};
use dioxus::prelude::*;
use serde_json::json;

#[component]
pub fn Settings() -> Element {
    rsx! {
        h1 { "{t(\"nav.settings\")}" }
        div { class: "settings",
            Delivery {}
            Pairing {}
            shopee_settings::ShopeeApi {}
            assistant_settings::StoreAi {}
            assistant_settings::Llm {}
            assistant_settings::Model {}
            Backup {}
            System {}
        }
    }
}

#[component]
fn Delivery() -> Element {
    let mut state = use_signal(|| None::<DeliverySettings>);
    let mut error = use_signal(|| None::<String>);
    let mut limit = use_signal(String::new);
    let mut saved = use_signal(|| None::<String>);
    use_hook(move || {
        spawn(async move {
            match api::get::<DeliverySettings>("/api/v1/settings/delivery").await {
                Ok(s) => {
                    limit.set(s.chat_limit.to_string());
                    state.set(Some(s));
                }
                Err(e) => error.set(Some(e.message)),
            }
        })
    });
    let save_limit = move |e: FormEvent| {
        e.prevent_default();
        saved.set(None);
        error.set(None);
        let Ok(n) = limit().trim().parse::<i64>() else {
            error.set(Some(t("settings.err_chat_limit").to_string()));
            return;
        };
        spawn(async move {
            match api::call::<_, DeliverySettings>(
                "PUT",
                "/api/v1/settings/delivery",
                &DeliverySettingsChange {
                    chat_limit: Some(n),
                    ..DeliverySettingsChange::default()
                },
            )
            .await
            {
                Ok(s) => {
                    limit.set(s.chat_limit.to_string());
                    state.set(Some(s));
                    saved.set(Some(t("settings.chat_limit_saved").to_string()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let toggle = move |_| {
        let paused = !state().map(|s| s.paused).unwrap_or(false);
        spawn(async move {
            match api::call::<_, DeliverySettings>(
                "PUT",
                "/api/v1/settings/delivery",
                &DeliverySettingsChange {
                    paused: Some(paused),
                    ..DeliverySettingsChange::default()
                },
            )
            .await
            {
                Ok(s) => state.set(Some(s)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let paused = state().map(|s| s.paused).unwrap_or(false);
    rsx! {
        section { class: "panel", id: "delivery-settings",
            h2 { "{t(\"settings.delivery\")}" }
            p { class: if paused { "warn" } else { "ok" }, if paused { "{t(\"settings.paused\")}" } else { "{t(\"settings.running\")}" } }
            button { disabled: state().is_none(), onclick: toggle, if paused { "{t(\"settings.resume\")}" } else { "{t(\"settings.pause\")}" } }
            form { id: "chat-limit", onsubmit: save_limit,
                label { "{t(\"settings.chat_limit\")}"
                    input { id: "chat-limit-input", inputmode: "numeric", value: "{limit}", oninput: move |e| limit.set(e.value()) }
                }
                p { class: "muted small", "{t(\"settings.chat_limit_hint\")}" }
                button { class: "primary", r#type: "submit", disabled: state().is_none(), "{t(\"save\")}" }
                OkNote { text: saved() }
            }
            ErrorNote { error: error() }
        }
    }
}

#[component]
fn Pairing() -> Element {
    let mut code = use_signal(|| None::<PairingCode>);
    let mut error = use_signal(|| None::<String>);
    let mut tokens = use_resource(|| async { api::get::<TokenList>("/api/v1/tokens").await });
    let make = move |_| {
        spawn(async move {
            error.set(None);
            match api::call::<_, PairingCode>("POST", "/api/v1/pairing-codes", &json!({})).await {
                Ok(c) => code.set(Some(c)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let tr = tokens.read();
    rsx! {
        section { class: "panel", id: "pairing",
            h2 { "{t(\"settings.pairing\")}" }
            p { class: "muted", "{t(\"settings.pairing_hint\")}" }
            button { id: "pair-button", class: "primary", onclick: make, "{t(\"settings.pair\")}" }
            if let Some(c) = code() {
                div { class: "pair-code", id: "pair-code", "aria-label": "{t(\"settings.pair_code\")}", "{c.code}" }
                p { class: "muted", "{t(\"settings.expires\")} {datetime(&c.expires_at)}" }
            }
            ErrorNote { error: error() }
            h3 { "{t(\"settings.tokens\")}" }
            if let Some(Ok(list)) = tr.as_ref() {
                table { class: "list",
                    thead { tr { th { "{t(\"settings.token_label\")}" } th { "{t(\"settings.scope\")}" } th { "{t(\"orders.created\")}" } th {} } }
                    tbody {
                        for tk in list.tokens.iter().filter(|x| x.revoked_at.is_none() && !x.session) {
                            tr { key: "{tk.id}",
                                td { "{tk.label}" if let Some(o) = &tk.origin { div { class: "muted small", "{o}" } } }
                                td { "{tk.scope.as_str()}" }
                                td { "{datetime(&tk.created_at)}" }
                                td {
                                    button {
                                        class: "danger",
                                        onclick: {
                                            let id = tk.id;
                                            move |_| {
                                                spawn(async move {
                                                    match api::call_empty("DELETE", &format!("/api/v1/tokens/{id}"), api::Body::None).await {
                                                        Ok(()) => tokens.restart(),
                                                        Err(e) => error.set(Some(e.message)),
                                                    }
                                                });
                                            }
                                        },
                                        "{t(\"settings.revoke\")}"
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

#[component]
fn Backup() -> Element {
    let mut error = use_signal(|| None::<String>);
    let mut note = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let restore = move |_| {
        let Some(file) = api::picked_file("restore-file") else {
            return;
        };
        busy.set(true);
        error.set(None);
        note.set(None);
        spawn(async move {
            match api::send_raw::<serde_json::Value>(
                "/api/v1/restore",
                "application/octet-stream",
                file.into(),
            )
            .await
            {
                Ok(_) => note.set(Some(t("settings.restore_staged").to_string())),
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    rsx! {
        section { class: "panel", id: "backup",
            h2 { "{t(\"settings.backup\")}" }
            p { class: "muted small", "{t(\"settings.backup_hint\")}" }
            a { class: "button", href: "/api/v1/backup", download: "auto-backup.db", "{t(\"settings.download_backup\")}" }
            h3 { "{t(\"settings.restore\")}" }
            p { class: "muted small", "{t(\"settings.restore_hint\")}" }
            input { id: "restore-file", r#type: "file", accept: ".db,.sqlite,application/octet-stream", disabled: busy(), onchange: restore }
            if busy() { crate::widgets::Progress { label: t("settings.restoring").to_string(), done: 0, total: 0 } }
            ErrorNote { error: error() }
            OkNote { text: note() }
        }
    }
}

#[component]
fn System() -> Element {
    let info = use_resource(|| async { api::get::<SystemInfo>("/api/v1/system").await });
    let r = info.read();
    rsx! {
        section { class: "panel", id: "system",
            h2 { "{t(\"settings.system\")}" }
            if let Some(Ok(s)) = r.as_ref() {
                dl {
                    dt { "{t(\"settings.version\")}" } dd { "{s.version}" }
                    dt { "{t(\"settings.data_dir\")}" } dd { code { "{s.data_dir}" } }
                    dt { "{t(\"settings.port\")}" } dd { {s.port.map(|p| p.to_string()).unwrap_or_default()} }
                }
            }
            div { class: "row",
                label { "{t(\"lang.label\")} " crate::LangSwitch {} }
                button { onclick: move |_| { spawn(crate::session::logout()); }, "{t(\"settings.sign_out\")}" }
            }
        }
    }
}
