//! Small pieces every page uses: errors in plain words, progress, empty states.

use crate::i18n::t;
use dioxus::prelude::*;

/// An API error shown next to the form it belongs to.
#[component]
pub fn ErrorNote(error: Option<String>) -> Element {
    match error {
        Some(e) => rsx! { p { class: "error", role: "alert", "{e}" } },
        None => rsx! {},
    }
}

/// A success note.
#[component]
pub fn OkNote(text: Option<String>) -> Element {
    match text {
        Some(s) => rsx! { p { class: "ok", role: "status", "{s}" } },
        None => rsx! {},
    }
}

/// A progress bar: `done` of `total`, or moving when the total is not known (0).
#[component]
pub fn Progress(label: String, done: u64, total: u64) -> Element {
    if total > 0 {
        let pct = (done as f64 / total as f64 * 100.0).min(100.0);
        rsx! {
            div { class: "progress", role: "progressbar", "aria-valuenow": "{done}", "aria-valuemax": "{total}",
                div { class: "fill", style: "width: {pct:.0}%" }
                span { "{label} {done} / {total}" }
            }
        }
    } else {
        rsx! {
            div { class: "progress busy", role: "progressbar",
                div { class: "fill" }
                span { "{label}" }
            }
        }
    }
}

/// What a resource shows while it loads or when it failed.
pub fn pending<T>(r: &Option<Result<T, crate::api::ApiError>>) -> Option<Element> {
    match r {
        None => Some(rsx! { p { class: "loading", "{t(\"loading\")}" } }),
        Some(Err(e)) => Some(rsx! { ErrorNote { error: Some(e.message.clone()) } }),
        Some(Ok(_)) => None,
    }
}

/// The status of an order as a coloured label.
#[component]
pub fn StatusBadge(status: String) -> Element {
    let key = format!("status.{status}");
    rsx! { span { class: "badge st-{status}", "{crate::i18n::t(&key)}" } }
}

/// Asks the seller before something that cannot be undone.
pub fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}
