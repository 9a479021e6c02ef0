//! The assistant's settings: AI at store level, the language model endpoint (its key is
//! write-only), and the search model with its re-indexing progress.

use crate::api;
use crate::i18n::t;
use crate::pages::faq::IndexStatus;
use crate::types::{AiSettings, AssistantStatus, LlmRequest, LlmView, ModelRequest};
use crate::widgets::{ErrorNote, OkNote};
use dioxus::prelude::*;

#[component]
pub fn StoreAi() -> Element {
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
            match th.trim().replace(',', ".").parse::<f32>() {
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
pub fn Llm() -> Element {
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
        let body = LlmRequest {
            base_url: base().trim().to_string(),
            model: model().trim().to_string(),
            timeout_secs: Some(secs),
            // The key is write-only: left out, the stored one stays; empty, it is removed.
            api_key: if remove_key() {
                Some(String::new())
            } else {
                Some(key()).filter(|k| !k.is_empty())
            },
        };
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
pub fn Model() -> Element {
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
                &ModelRequest { model: m },
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
