//! One order: lines, trail, deliveries (and the road each came by); resend, deliver, refund,
//! cancel. The delivery text (with the stock items) shows only after the seller asks for it here.

use crate::api;
use crate::chat_parts::ChatParts;
use crate::format::{datetime, money};
use crate::i18n::{t, tk_or};
use crate::route::{go, Route};
use crate::session::ORDERS_TICK;
use crate::trail_words::{actor_words, attention_words, listing_words, note_words, shows_listing};
use crate::types::{
    DeliverMode, DeliverRequest, DeliveryEnvelope, OrderDetail, OrderEnvelope, OrderStatus,
    StatusChange,
};
use crate::widgets::{pending, ErrorNote, OkNote, StatusBadge};
use dioxus::prelude::*;
use serde_json::json;

/// What the seller's buttons on an order do.
enum Action {
    /// Send the delivery message again (the same items).
    Resend,
    Deliver(DeliverRequest),
    Move(StatusChange),
}

impl Action {
    fn deliver(mode: DeliverMode, note: String) -> Action {
        Action::Deliver(DeliverRequest { mode, note })
    }

    fn status(status: OrderStatus, reason: String) -> Action {
        Action::Move(StatusChange { status, reason })
    }
}

#[component]
pub fn OrderPage(id: i64) -> Element {
    let detail = use_resource(move || async move {
        let _ = ORDERS_TICK();
        api::get::<OrderDetail>(&format!("/api/v1/orders/{id}")).await
    });
    // Delivery texts, only after "reveal": (delivery id, text, the chat-sized parts it is
    // posted as when there are several).
    let mut revealed = use_signal(Vec::<(i64, String, Vec<String>)>::new);
    let mut error = use_signal(|| None::<String>);
    let mut done = use_signal(|| None::<String>);
    let mut reason = use_signal(String::new);
    let mut busy = use_signal(|| false);

    let mut act = move |action: Action, ok: &'static str| {
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn(async move {
            let res = match action {
                Action::Resend => {
                    let path = format!("/api/v1/orders/{id}/resend");
                    api::call::<_, DeliveryEnvelope>("POST", &path, &json!({}))
                        .await
                        .map(drop)
                }
                Action::Deliver(body) => {
                    let path = format!("/api/v1/orders/{id}/deliver");
                    api::call::<_, OrderEnvelope>("POST", &path, &body)
                        .await
                        .map(drop)
                }
                Action::Move(body) => {
                    let path = format!("/api/v1/orders/{id}/status");
                    api::call::<_, OrderEnvelope>("POST", &path, &body)
                        .await
                        .map(drop)
                }
            };
            match res {
                Ok(()) => {
                    done.set(Some(t(ok).to_string()));
                    *ORDERS_TICK.write() += 1;
                }
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    let reveal = move |_| {
        error.set(None);
        spawn(async move {
            match api::get::<OrderDetail>(&format!("/api/v1/orders/{id}?reveal=true")).await {
                Ok(d) => revealed.set(
                    d.deliveries
                        .into_iter()
                        .map(|x| (x.id, x.message.unwrap_or_default(), x.parts))
                        .collect(),
                ),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };

    let r = detail.read();
    if let Some(el) = pending(&r) {
        return rsx! { BackLink {} {el} };
    }
    let Some(Ok(d)) = r.as_ref() else {
        return rsx! {};
    };
    let o = &d.order;
    let st = o.status.as_str();
    let can_refund = matches!(
        st,
        "paid" | "delivering" | "needs_attention" | "delivered" | "completed"
    );
    let can_cancel = matches!(st, "unpaid" | "paid" | "needs_attention");
    let can_retry = st == "needs_attention";
    let can_manual = matches!(st, "paid" | "delivering" | "needs_attention");
    let can_resend = matches!(st, "delivering" | "delivered" | "completed");
    rsx! {
        BackLink {}
        div { class: "page-head",
            h1 { "{t(\"order.title\")} {o.order_sn}" }
            StatusBadge { status: o.status.clone() }
        }
        if let Some(reason) = &o.attention_reason {
            p { class: "error", id: "attention",
                {attention_words(reason, &o.attention_params, o.attention_detail.as_deref())}
            }
            if reason == "chat_refused" {
                p { class: "muted", id: "chat-refused-hint", "{t(\"order.chat_refused_hint\")}" }
            }
        }
        section { class: "split",
            div { class: "panel",
                dl {
                    dt { "{t(\"orders.buyer\")}" } dd { "{o.buyer.username}" }
                    dt { "{t(\"order.shop\")}" } dd { "{o.shop}" }
                    dt { "{t(\"order.road\")}" } dd { id: "order-road", "{tk_or(\"road\", &d.road)}" }
                    dt { "{t(\"orders.total\")}" } dd { "{money(o.total, &o.currency)}" }
                    dt { "{t(\"orders.created\")}" } dd { "{datetime(&o.created_at)}" }
                    if let Some(p) = &o.paid_at {
                        dt { "{t(\"order.paid_at\")}" } dd { "{datetime(p)}" }
                    }
                }
                table { class: "list", id: "order-lines",
                    thead { tr { th { "{t(\"orders.product\")}" } th { "SKU" } th { class: "num", "{t(\"order.qty\")}" } th { class: "num", "{t(\"order.price\")}" } } }
                    tbody {
                        for l in o.lines.iter() {
                            tr { key: "{l.id}",
                                td { class: "product",
                                    match &l.product_name {
                                        Some(name) => rsx! { "{name}" },
                                        None => rsx! { span { class: "muted", "{t(\"line.no_product\")}" } },
                                    }
                                }
                                td {
                                    "{l.sku}"
                                    if shows_listing(l) {
                                        if let Some(listing) = listing_words(l) {
                                            div { class: "muted small listing", "{listing}" }
                                        }
                                    }
                                }
                                td { class: "num", "{l.quantity}" }
                                td { class: "num", "{money(l.unit_price, &o.currency)}" }
                            }
                        }
                    }
                }
            }
            div { class: "panel actions",
                h2 { "{t(\"order.actions\")}" }
                div { class: "row",
                    if can_resend {
                        button { disabled: busy(), onclick: move |_| act(Action::Resend, "order.resent"), "{t(\"order.resend\")}" }
                    }
                    if can_retry {
                        button { disabled: busy(), onclick: move |_| act(Action::deliver(DeliverMode::Retry, String::new()), "order.retried"), "{t(\"order.retry\")}" }
                    }
                }
                label { "{t(\"order.reason\")}"
                    input { value: "{reason}", placeholder: "{t(\"order.reason_hint\")}", oninput: move |e| reason.set(e.value()) }
                }
                div { class: "row",
                    if can_manual {
                        button { disabled: busy(), onclick: move |_| act(Action::deliver(DeliverMode::Manual, reason()), "order.marked"), "{t(\"order.manual\")}" }
                    }
                    if can_refund {
                        button { class: "danger", disabled: busy(), onclick: move |_| act(Action::status(OrderStatus::Refunded, reason()), "order.refunded"), "{t(\"order.refund\")}" }
                    }
                    if can_cancel {
                        button { class: "danger", disabled: busy(), onclick: move |_| act(Action::status(OrderStatus::Cancelled, reason()), "order.cancelled"), "{t(\"order.cancel\")}" }
                    }
                }
                ErrorNote { error: error() }
                OkNote { text: done() }
            }
        }
        super::order_items::OrderItemsPanel { id, status: o.status.clone() }
        section { class: "panel", id: "deliveries",
            div { class: "page-head",
                h2 { "{t(\"order.deliveries\")}" }
                if !d.deliveries.is_empty() {
                    if revealed.read().is_empty() {
                        button { id: "reveal", onclick: reveal, "{t(\"order.reveal\")}" }
                    } else {
                        button { onclick: move |_| revealed.set(Vec::new()), "{t(\"order.hide\")}" }
                    }
                }
            }
            if d.deliveries.is_empty() {
                p { class: "muted", "{t(\"order.no_deliveries\")}" }
            }
            for dl in d.deliveries.iter() {
                div { key: "{dl.id}", class: "delivery",
                    p {
                        StatusBadge { status: dl.status.clone() }
                        " #{dl.id} · {datetime(&dl.created_at)} · {t(\"order.attempts\")}: {dl.attempts}"
                        if let Some(c) = &dl.confirmed_at { " · {t(\"order.confirmed\")} {datetime(c)}" }
                        if let Some(r) = dl.resend_of { " · {t(\"order.resend_of\")} #{r}" }
                        if let Some(road) = &dl.road { span { class: "road", " · {t(\"order.sent_by\")} {tk_or(\"road\", road)}" } }
                        if let Some(m) = &dl.message_id { span { class: "message-id", " · {t(\"order.message_id\")} {m}" } }
                    }
                    if let Some((_, text, parts)) = revealed.read().iter().find(|(i, _, _)| *i == dl.id) {
                        if parts.len() > 1 {
                            // What the buyer sees: one chat message per part, in order.
                            ChatParts { parts: parts.clone(), secret: true }
                        } else {
                            pre { class: "secret", "{text}" }
                        }
                    } else {
                        p { class: "muted hidden-secret", "{t(\"order.hidden\")}" }
                    }
                }
            }
        }
        section { class: "panel",
            h2 { "{t(\"order.trail\")}" }
            ol { class: "trail",
                for (i, e) in d.trail.iter().enumerate() {
                    li { key: "{i}",
                        span { class: "muted", "{datetime(&e.at)} " }
                        if let Some(f) = &e.from { StatusBadge { status: f.clone() } " → " }
                        StatusBadge { status: e.to.clone() }
                        " {actor_words(&e.actor)}"
                        {
                            let words = note_words(e.code.as_deref(), &e.params, &e.reason);
                            (!words.is_empty()).then(|| rsx! { span { class: "note", " — {words}" } })
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn BackLink() -> Element {
    rsx! {
        a { class: "back", href: "/orders", onclick: move |e: MouseEvent| { e.prevent_default(); go(Route::Orders); }, "← {t(\"nav.orders\")}" }
    }
}
