//! An order's stock items on its page: masked, with their status; "Replace" for a key the
//! buyer says does not work (with a reason, after a confirm), and "Back to stock" / "Void" for
//! the items held after the order was cancelled, refunded or returned.

use crate::api;
use crate::i18n::{t, tk_or};
use crate::session::ORDERS_TICK;
use crate::types::{
    OrderItem, OrderItems, ReleaseAction, ReleaseRequest, ReplaceRequest, ReplaceResult,
};
use crate::widgets::{confirm, ErrorNote, OkNote};
use dioxus::prelude::*;

/// The items of order `id`; `status` is the order's, which decides whether keys can be
/// replaced.
#[component]
pub fn OrderItemsPanel(id: i64, status: String) -> Element {
    let items = use_resource(move || async move {
        let _ = ORDERS_TICK();
        api::get::<OrderItems>(&format!("/api/v1/orders/{id}/items")).await
    });
    // The item whose reason form is open.
    let mut replacing = use_signal(|| None::<i64>);
    let mut reason = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut done = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);

    let mut replace = move |item_id: i64| {
        if !confirm(t("items.replace_confirm")) {
            return;
        }
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn(async move {
            let path = format!("/api/v1/orders/{id}/items/{item_id}/replace");
            let body = ReplaceRequest { reason: reason() };
            match api::call::<_, ReplaceResult>("POST", &path, &body).await {
                Ok(r) => {
                    let said = if r.waiting {
                        "items.replacement_waiting"
                    } else {
                        "items.replaced"
                    };
                    done.set(Some(t(said).to_string()));
                    replacing.set(None);
                    reason.set(String::new());
                    *ORDERS_TICK.write() += 1;
                }
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    let mut decide = move |item_id: i64, action: &'static str| {
        let (ask, said) = match action {
            "void" => ("items.void_confirm", "items.voided"),
            _ => ("items.pool_confirm", "items.pooled"),
        };
        if !confirm(t(ask)) {
            return;
        }
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn(async move {
            let path = format!("/api/v1/orders/{id}/items/{item_id}/release");
            let body = ReleaseRequest {
                action: if action == "void" {
                    ReleaseAction::Void
                } else {
                    ReleaseAction::Pool
                },
                reason: String::new(),
            };
            match api::call::<_, OrderItems>("POST", &path, &body).await {
                Ok(_) => {
                    done.set(Some(t(said).to_string()));
                    *ORDERS_TICK.write() += 1;
                }
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };

    let r = items.read();
    let list = match r.as_ref() {
        Some(Ok(list)) => list.items.clone(),
        Some(Err(e)) => {
            return rsx! { section { class: "panel", id: "order-items", ErrorNote { error: Some(e.message.clone()) } } }
        }
        None => return rsx! {},
    };
    let can_replace = matches!(status.as_str(), "delivering" | "delivered" | "completed");
    let any_held = list.iter().any(|i| i.status == "revealed");
    rsx! {
        section { class: "panel", id: "order-items",
            h2 { "{t(\"items.title\")}" }
            if list.is_empty() {
                p { class: "muted", "{t(\"items.none\")}" }
            } else {
                if any_held {
                    p { class: "muted", id: "held-hint", "{t(\"items.held_hint\")}" }
                }
                table { class: "list",
                    thead { tr {
                        th { "{t(\"items.item\")}" }
                        th { "{t(\"items.product\")}" }
                        th { "{t(\"items.status\")}" }
                        th {}
                    } }
                    tbody {
                        for item in list.iter() {
                            tr { key: "{item.id}", "data-item-id": "{item.id}", "data-status": "{item.status}",
                                td { code { class: "masked", "{item.masked}" } }
                                td { "{item.product}" }
                                td {
                                    span { class: "badge item-{item.status}", "{tk_or(\"item_status\", &item.status)}" }
                                    if let Some(n) = &item.note { span { class: "muted", " — {n}" } }
                                    if let Some(by) = item.replaced_by { span { class: "muted replaced-by", " · {t(\"items.replaced_by\")} {masked_of(&list, by)}" } }
                                    if let Some(old) = item.replaces { span { class: "muted replaces", " · {t(\"items.replaces\")} {masked_of(&list, old)}" } }
                                    if item.replacement_waiting { span { class: "error", " · {t(\"items.waiting\")}" } }
                                }
                                td { div { class: "row",
                                    if can_replace && matches!(item.status.as_str(), "allocated" | "delivered") {
                                        button { class: "replace", disabled: busy(),
                                            onclick: {
                                                let item_id = item.id;
                                                move |_| { replacing.set(Some(item_id)); error.set(None); done.set(None); }
                                            },
                                            "{t(\"items.replace\")}"
                                        }
                                    }
                                    if item.status == "revealed" {
                                        button { class: "pool", disabled: busy(),
                                            onclick: { let item_id = item.id; move |_| decide(item_id, "pool") },
                                            "{t(\"items.back_to_stock\")}"
                                        }
                                        button { class: "void danger", disabled: busy(),
                                            onclick: { let item_id = item.id; move |_| decide(item_id, "void") },
                                            "{t(\"items.void\")}"
                                        }
                                    }
                                } }
                            }
                        }
                    }
                }
            }
            if let Some(item_id) = replacing() {
                div { class: "replace-form", id: "replace-form",
                    label { "{t(\"items.replace_reason\")}"
                        input { id: "replace-reason", value: "{reason}", maxlength: 200,
                            placeholder: "{t(\"items.replace_hint\")}", oninput: move |e| reason.set(e.value()) }
                    }
                    div { class: "row",
                        button { id: "replace-confirm", class: "danger", disabled: busy() || reason().trim().is_empty(),
                            onclick: move |_| replace(item_id), "{t(\"items.replace_go\")}" }
                        button { onclick: move |_| replacing.set(None), "{t(\"cancel\")}" }
                    }
                }
            }
            ErrorNote { error: error() }
            OkNote { text: done() }
        }
    }
}

/// How the list shows item `id` (its masked code; its number when it is not in the list).
fn masked_of(list: &[OrderItem], id: i64) -> String {
    list.iter()
        .find(|i| i.id == id)
        .map(|i| i.masked.clone())
        .unwrap_or_else(|| format!("#{id}"))
}
