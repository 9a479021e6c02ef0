//! Conversations: buyer threads, drafts waiting for approval (approve, edit, discard), and the
//! seller's own reply.

use crate::api;
use crate::chat_parts::ChatParts;
use crate::format::datetime;
use crate::i18n::{t, tk};
use crate::route::{go, Route};
use crate::session::MESSAGES_TICK;
use crate::types::{
    ApproveRequest, ConversationDetail, ConversationPage, Reply, ReplyList, SellerReply,
};
use crate::widgets::{pending, ErrorNote};
use dioxus::prelude::*;

#[component]
pub fn Conversations(id: Option<i64>) -> Element {
    let mut open_only = use_signal(|| false);
    let list = use_resource(move || async move {
        let _ = MESSAGES_TICK();
        let q = if open_only() {
            "?open=true&limit=100"
        } else {
            "?limit=100"
        };
        api::get::<ConversationPage>(&format!("/api/v1/conversations{q}")).await
    });
    let r = list.read();
    rsx! {
        h1 { "{t(\"nav.conversations\")}" }
        Drafts {}
        div { class: "conv-layout",
            div { class: "panel threads",
                label { class: "check",
                    input { r#type: "checkbox", checked: open_only(), onchange: move |e| open_only.set(e.checked()) }
                    "{t(\"conv.open_only\")}"
                }
                if let Some(el) = pending(&r) {
                    {el}
                } else if let Some(Ok(p)) = r.as_ref() {
                    if p.conversations.is_empty() { p { class: "empty", "{t(\"conv.none\")}" } }
                    ul { class: "picker", id: "threads",
                        for c in p.conversations.iter() {
                            li { key: "{c.id}",
                                a {
                                    href: "/conversations/{c.id}",
                                    class: if id == Some(c.id) { "active" } else { "" },
                                    onclick: {
                                        let cid = c.id;
                                        move |e: MouseEvent| { e.prevent_default(); go(Route::Conversations(Some(cid))); }
                                    },
                                    div {
                                        strong { "{c.buyer.username}" }
                                        span { class: "muted small", " · {c.shop}" }
                                        div { class: "muted small clip", {c.last_message.clone().unwrap_or_default()} }
                                    }
                                    if c.open_questions > 0 { span { class: "badge st-needs_attention", "{c.open_questions}" } }
                                }
                            }
                        }
                    }
                }
            }
            if let Some(cid) = id {
                Thread { key: "{cid}", id: cid }
            } else {
                div { class: "panel grow", p { class: "muted", "{t(\"conv.pick\")}" } }
            }
        }
    }
}

/// Every draft waiting for the seller, across conversations.
#[component]
fn Drafts() -> Element {
    let drafts = use_resource(move || async move {
        let _ = MESSAGES_TICK();
        api::get::<ReplyList>("/api/v1/replies?status=draft&limit=100").await
    });
    let r = drafts.read();
    let Some(Ok(list)) = r.as_ref() else {
        return rsx! {};
    };
    if list.replies.is_empty() {
        return rsx! {};
    }
    rsx! {
        section { class: "panel", id: "drafts",
            h2 { "{t(\"conv.drafts\")} ({list.replies.len()})" }
            for d in list.replies.iter() {
                DraftCard { key: "{d.id}", reply: d.clone(), show_buyer: true }
            }
        }
    }
}

/// A draft the seller can edit, approve (send) or discard.
#[component]
fn DraftCard(reply: Reply, show_buyer: bool) -> Element {
    let id = reply.id;
    let mut text = use_signal(|| reply.text.clone());
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let original = reply.text.clone();
    let edited = *text.read() != original;
    let mut act = move |path: String, body: Option<ApproveRequest>| {
        busy.set(true);
        error.set(None);
        spawn(async move {
            let res = match body {
                Some(b) => api::call::<_, Reply>("POST", &path, &b).await.map(|_| ()),
                None => api::call_empty("POST", &path, api::Body::None).await,
            };
            busy.set(false);
            match res {
                Ok(()) => *MESSAGES_TICK.write() += 1,
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    rsx! {
        div { class: "draft", "data-reply-id": "{id}",
            if show_buyer {
                p { class: "muted small",
                    a {
                        href: "/conversations/{reply.conversation}",
                        onclick: {
                            let c = reply.conversation;
                            move |e: MouseEvent| { e.prevent_default(); go(Route::Conversations(Some(c))); }
                        },
                        "{reply.buyer.username}"
                    }
                    " · {reply.shop} · {tk(\"source\", &reply.source)} · {datetime(&reply.created_at)}"
                }
            }
            textarea { class: "draft-text", rows: "3", value: "{text}", oninput: move |e| text.set(e.value()) }
            // The engine cuts the text; an edited draft is cut anew when approved, so the parts
            // shown are only those of the text as it stands in the engine.
            if reply.parts.len() > 1 && !edited {
                ChatParts { parts: reply.parts.clone() }
            }
            div { class: "row",
                button {
                    class: "primary approve",
                    disabled: busy(),
                    onclick: move |_| {
                        let edited = text();
                        let body = ApproveRequest { text: (edited != original).then_some(edited) };
                        act(format!("/api/v1/replies/{id}/approve"), Some(body));
                    },
                    "{t(\"conv.approve\")}"
                }
                button { class: "danger", disabled: busy(), onclick: move |_| act(format!("/api/v1/replies/{id}/discard"), None), "{t(\"conv.discard\")}" }
            }
            ErrorNote { error: error() }
        }
    }
}

#[component]
fn Thread(id: i64) -> Element {
    let detail = use_resource(move || async move {
        let _ = MESSAGES_TICK();
        api::get::<ConversationDetail>(&format!("/api/v1/conversations/{id}")).await
    });
    let mut answer = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let send = move |e: FormEvent| {
        e.prevent_default();
        let text = answer();
        if text.trim().is_empty() {
            return;
        }
        spawn(async move {
            match api::call::<_, Reply>(
                "POST",
                &format!("/api/v1/conversations/{id}/reply"),
                &SellerReply { text },
            )
            .await
            {
                Ok(_) => {
                    answer.set(String::new());
                    *MESSAGES_TICK.write() += 1;
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let r = detail.read();
    if let Some(el) = pending(&r) {
        return rsx! { div { class: "panel grow", {el} } };
    }
    let Some(Ok(d)) = r.as_ref() else {
        return rsx! {};
    };
    let s = &d.summary;
    rsx! {
        div { class: "panel grow thread", id: "thread",
            h2 { "{s.buyer.username}" span { class: "muted small", " · {s.shop}" } }
            if let Some(sn) = &s.order_sn { p { class: "muted small", "{t(\"order.title\")} {sn}" } }
            ol { class: "messages",
                for m in d.messages.iter() {
                    li { key: "m{m.id}", class: "msg {m.direction}",
                        div { class: "bubble", "{m.text}" }
                        div { class: "muted small",
                            "{datetime(&m.created_at)}"
                            if m.direction == "in" {
                                " · {tk(\"state\", &m.state)}"
                                if let Some(sc) = m.score { " · {t(\"faq.score\")} {sc:.2}" }
                            }
                        }
                    }
                }
            }
            h3 { "{t(\"conv.replies\")}" }
            for rep in d.replies.iter() {
                if rep.status == "draft" {
                    DraftCard { key: "r{rep.id}", reply: rep.clone(), show_buyer: false }
                } else {
                    div { key: "r{rep.id}", class: "reply", "data-reply-id": "{rep.id}",
                        span { class: "badge st-{rep.status}", "{tk(\"reply\", &rep.status)}" }
                        if rep.parts.len() > 1 {
                            " {tk(\"source\", &rep.source)}:"
                            // Which parts already went matters only while the rest is on its way.
                            ChatParts {
                                parts: rep.parts.clone(),
                                sent: if rep.status == "pending" { rep.parts_sent.max(0) as usize } else { 0 },
                            }
                        } else {
                            " {tk(\"source\", &rep.source)}: {rep.text}"
                        }
                    }
                }
            }
            form { class: "row", onsubmit: send,
                textarea { class: "grow", id: "seller-reply", rows: "2", placeholder: "{t(\"conv.reply_hint\")}", value: "{answer}", oninput: move |e| answer.set(e.value()) }
                button { class: "primary", r#type: "submit", "{t(\"conv.send\")}" }
            }
            ErrorNote { error: error() }
        }
    }
}
