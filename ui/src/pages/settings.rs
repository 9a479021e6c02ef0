//! Settings: auto-delivery, extension pairing, AI at store level, the language model, the
//! embedding model, backup and restore, and where the data lives.

use crate::api;
use crate::format::datetime;
use crate::i18n::t;
use crate::pages::faq::IndexStatus;
use crate::types::{
    AiSettings, AssistantStatus, DeliverySettings, LlmView, PairingCode, SystemInfo, TokenList,
};
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
            StoreAi {}
            Llm {}
            Model {}
            Backup {}
            System {}
        }
    }
}

#[component]
fn Delivery() -> Element {
    let mut state = use_signal(|| None::<DeliverySettings>);
    let mut error = use_signal(|| None::<String>);
    use_hook(move || {
        spawn(async move {
            match api::get::<DeliverySettings>("/api/v1/settings/delivery").await {
                Ok(s) => state.set(Some(s)),
                Err(e) => error.set(Some(e.message)),
            }
        })
    });
    let toggle = move |_| {
        let paused = !state().map(|s| s.paused).unwrap_or(false);
        spawn(async move {
            match api::call::<_, DeliverySettings>(
                "PUT",
                "/api/v1/settings/delivery",
                &json!({ "paused": paused }),
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
                        for tk in list.tokens.iter().filter(|x| x.revoked_at.is_none()) {
                            tr { key: "{tk.id}",
                                td { "{tk.label}" if let Some(o) = &tk.origin { div { class: "muted small", "{o}" } } }
                                td { "{tk.scope}" }
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
fn StoreAi() -> Element {
    let mut s = use_signal(AiSettings::default);
    let mut threshold = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut saved = use_signal(|| None::<String>);
    use_hook(move || {
        spawn(async move {
            match api::get::<AiSettings>("/api/v1/settings/ai/store").await {
                Ok(v) => {
                    threshold.set(v.threshold.map(|x| format!("{x:.2}")).unwrap_or_default());
                    s.set(v);
                }
                Err(e) => error.set(Some(e.message)),
            }
        })
    });
    let save = move |e: FormEvent| {
        e.prevent_default();
        saved.set(None);
        error.set(None);
        let mut body = s();
        let th = threshold();
        body.threshold = if th.trim().is_empty() {
            None
        } else {
            match th.trim().replace(',', ".").parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => Some(v),
                _ => {
                    error.set(Some(t("settings.err_threshold").to_string()));
                    return;
                }
            }
        };
        spawn(async move {
            match api::call::<_, AiSettings>("PUT", "/api/v1/settings/ai/store", &body).await {
                Ok(v) => {
                    s.set(v);
                    saved.set(Some(t("product.saved").to_string()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let v = s();
    let tri = |o: Option<bool>| match o {
        None => "",
        Some(true) => "on",
        Some(false) => "off",
    };
    let parse = |x: String| match x.as_str() {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    };
    rsx! {
        section { class: "panel", id: "ai-settings",
            h2 { "{t(\"settings.ai\")}" }
            form { onsubmit: save,
                for (key, val, field) in [("settings.auto_reply", v.auto_reply, 0), ("settings.llm_on", v.llm, 1), ("settings.llm_auto_send", v.llm_auto_send, 2)] {
                    label { key: "{key}", "{t(key)}"
                        select {
                            onchange: move |e| {
                                let b = parse(e.value());
                                let mut w = s.write();
                                match field { 0 => w.auto_reply = b, 1 => w.llm = b, _ => w.llm_auto_send = b }
                            },
                            option { value: "", selected: tri(val).is_empty(), "{t(\"settings.default\")}" }
                            option { value: "on", selected: tri(val) == "on", "{t(\"on\")}" }
                            option { value: "off", selected: tri(val) == "off", "{t(\"off\")}" }
                        }
                    }
                }
                label { "{t(\"settings.threshold\")}"
                    input { inputmode: "decimal", placeholder: "0.00–1.00", value: "{threshold}", oninput: move |e| threshold.set(e.value()) }
                }
                label { "{t(\"settings.reply_language\")}"
                    input { placeholder: "auto, id, en, vi…", value: "{v.reply_language.clone().unwrap_or_default()}",
                        oninput: move |e| { let x = e.value(); s.write().reply_language = (!x.trim().is_empty()).then_some(x); } }
                }
                label { "{t(\"settings.system_prompt\")}"
                    textarea { rows: "3", value: "{v.system_prompt.clone().unwrap_or_default()}",
                        oninput: move |e| { let x = e.value(); s.write().system_prompt = (!x.trim().is_empty()).then_some(x); } }
                }
                button { class: "primary", r#type: "submit", "{t(\"save\")}" }
                ErrorNote { error: error() }
                OkNote { text: saved() }
            }
        }
    }
}

#[component]
fn Llm() -> Element {
    let mut base = use_signal(String::new);
    let mut model = use_signal(String::new);
    let mut timeout = use_signal(|| "20".to_string());
    let mut key = use_signal(String::new);
    let mut remove_key = use_signal(|| false);
    let mut view = use_signal(|| None::<LlmView>);
    let mut error = use_signal(|| None::<String>);
    let mut saved = use_signal(|| None::<String>);
    let mut fill = move |v: LlmView| {
        base.set(v.base_url.clone());
        model.set(v.model.clone());
        timeout.set(v.timeout_secs.to_string());
        view.set(Some(v));
    };
    use_hook(move || {
        spawn(async move {
            match api::get::<LlmView>("/api/v1/settings/llm").await {
                Ok(v) => fill(v),
                Err(e) => error.set(Some(e.message)),
            }
        })
    });
    let save = move |e: FormEvent| {
        e.prevent_default();
        saved.set(None);
        error.set(None);
        let Ok(secs) = timeout().trim().parse::<u64>() else {
            error.set(Some(t("settings.err_timeout").to_string()));
            return;
        };
        let mut body =
            json!({ "base_url": base().trim(), "model": model().trim(), "timeout_secs": secs });
        // The key is write-only: left empty, the stored one stays.
        if remove_key() {
            body["api_key"] = json!("");
        } else if !key().is_empty() {
            body["api_key"] = json!(key());
        }
        spawn(async move {
            match api::call::<_, LlmView>("PUT", "/api/v1/settings/llm", &body).await {
                Ok(v) => {
                    key.set(String::new());
                    remove_key.set(false);
                    fill(v);
                    saved.set(Some(t("product.saved").to_string()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let key_set = view().map(|v| v.api_key_set).unwrap_or(false);
    rsx! {
        section { class: "panel", id: "llm-settings",
            h2 { "{t(\"settings.llm\")}" }
            p { class: "muted small", "{t(\"settings.llm_hint\")}" }
            form { onsubmit: save,
                label { "{t(\"settings.base_url\")}" input { id: "llm-base", placeholder: "http://127.0.0.1:11434/v1", value: "{base}", oninput: move |e| base.set(e.value()) } }
                label { "{t(\"settings.llm_model\")}" input { id: "llm-model", placeholder: "gpt-4o-mini / llama3.2", value: "{model}", oninput: move |e| model.set(e.value()) } }
                label { "{t(\"settings.timeout\")}" input { r#type: "number", min: "1", value: "{timeout}", oninput: move |e| timeout.set(e.value()) } }
                label { "{t(\"settings.api_key\")}"
                    input { id: "llm-key", r#type: "password", autocomplete: "off",
                        placeholder: if key_set { t("settings.key_kept") } else { t("settings.key_none") },
                        value: "{key}", oninput: move |e| key.set(e.value()) }
                }
                if key_set {
                    label { class: "check", input { r#type: "checkbox", checked: remove_key(), onchange: move |e| remove_key.set(e.checked()) } "{t(\"settings.remove_key\")}" }
                }
                button { id: "llm-save", class: "primary", r#type: "submit", "{t(\"save\")}" }
                ErrorNote { error: error() }
                OkNote { text: saved() }
            }
        }
    }
}

#[component]
fn Model() -> Element {
    let status =
        use_resource(|| async { api::get::<AssistantStatus>("/api/v1/assistant/status").await });
    let mut pick = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let apply = move |_| {
        let m = pick();
        if m.is_empty() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn(async move {
            if let Err(e) = api::call::<_, AssistantStatus>(
                "PUT",
                "/api/v1/assistant/model",
                &json!({ "model": m }),
            )
            .await
            {
                error.set(Some(e.message));
            }
            busy.set(false);
            *crate::session::FAQ_TICK.write() += 1;
        });
    };
    let r = status.read();
    let Some(Ok(s)) = r.as_ref() else {
        return rsx! {};
    };
    let current = s.search.model.clone();
    rsx! {
        section { class: "panel", id: "model-settings",
            h2 { "{t(\"settings.model\")}" }
            IndexStatus {}
            for m in s.models.iter() {
                label { key: "{m.name}", class: "check",
                    input { r#type: "radio", name: "model", value: "{m.name}",
                        checked: if pick().is_empty() { m.name == current } else { pick() == m.name },
                        onchange: { let n = m.name.clone(); move |_| pick.set(n.clone()) } }
                    strong { "{m.name}" }
                    span { class: "muted small", " — {m.about}" }
                }
            }
            button { disabled: busy() || pick().is_empty() || pick() == current, onclick: apply, "{t(\"settings.use_model\")}" }
            if busy() { crate::widgets::Progress { label: t("settings.loading_model").to_string(), done: 0, total: 0 } }
            ErrorNote { error: error() }
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
                    dt { "{t(\"settings.port\")}" } dd { "{s.port}" }
                }
            }
            div { class: "row",
                label { "{t(\"lang.label\")} " crate::LangSwitch {} }
                button { onclick: move |_| { spawn(crate::session::logout()); }, "{t(\"settings.sign_out\")}" }
            }
        }
    }
}
