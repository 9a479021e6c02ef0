//! A text as the buyer reads it: cut into chat-sized parts, one chat message each. The order
//! page (deliveries) and the conversations page (replies) show the same thing the same way.

use crate::i18n::{t, tk};
use dioxus::prelude::*;

/// Each part on its own, in order, labelled "Chat message i/n". The first `sent` parts are
/// marked as gone (a reply the Open Platform road is part-way through). `secret` draws the
/// parts as a delivery's revealed text is drawn.
#[component]
pub fn ChatParts(
    parts: Vec<String>,
    #[props(default)] sent: usize,
    #[props(default)] secret: bool,
) -> Element {
    let n = parts.len();
    rsx! {
        div { class: "parts",
            for (i, part) in parts.iter().enumerate() {
                div { key: "{i}", class: if i < sent { "part sent" } else { "part" },
                    p { class: "muted part-label",
                        "{t(\"order.part\")} {i + 1}/{n}"
                        if i < sent { span { class: "part-sent", " · {tk(\"reply\", \"sent\")}" } }
                    }
                    pre { class: if secret { "secret" } else { "part-text" }, "{part}" }
                }
            }
        }
    }
}
