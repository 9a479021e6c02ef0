//! Native notifications for what needs the seller: a new paid order, an order out of stock, a
//! delivery that failed, a buyer question waiting. A flash sale must not bury the desktop in
//! hundreds of them, so each kind is gathered for a few seconds and told once, with a count.

use auto_engine::events::Event;
use auto_engine::Engine;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::RecvError;

/// What a notification is about; one notification per kind per gathering window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    PaidOrder,
    OutOfStock,
    DeliveryFailed,
    QuestionWaiting,
}

const GATHER: Duration = Duration::from_secs(3);

/// Remembers what was told already, so an order re-reported by the extension (the engine is
/// idempotent and tells it again) is not a new notification.
#[derive(Default)]
pub struct Notifier {
    told: HashSet<(i64, Kind)>,
}

impl Notifier {
    /// The kind of notification an event deserves, if any.
    pub fn classify(&mut self, event: &Event) -> Option<Kind> {
        let (key, kind) = match event {
            Event::Order {
                id,
                status,
                attention_reason,
                ..
            } => match (status.as_str(), attention_reason.as_deref()) {
                ("needs_attention", Some("out_of_stock")) => (*id, Kind::OutOfStock),
                ("needs_attention", Some("send_failed")) => (*id, Kind::DeliveryFailed),
                ("paid" | "delivering" | "delivered" | "needs_attention", _) => {
                    (*id, Kind::PaidOrder)
                }
                _ => return None,
            },
            Event::Message {
                message_id,
                reply_status,
                ..
            } => match reply_status.as_str() {
                "draft" | "none" => (*message_id, Kind::QuestionWaiting),
                _ => return None,
            },
            _ => return None,
        };
        if self.told.len() > 100_000 {
            self.told.clear();
        }
        self.told.insert((key, kind)).then_some(kind)
    }
}

/// The words of a notification about `count` things of `kind`.
pub fn text(kind: Kind, count: usize) -> (String, String) {
    let many = count > 1;
    match kind {
        Kind::PaidOrder => (
            if many {
                format!("{count} new paid orders")
            } else {
                "New paid order".into()
            },
            "AUTO is delivering them in the buyers' chats.".into(),
        ),
        Kind::OutOfStock => (
            "Out of stock".into(),
            format!(
                "{count} order{} wait{} for stock. Import more keys to deliver {}.",
                if many { "s" } else { "" },
                if many { "" } else { "s" },
                if many { "them" } else { "it" }
            ),
        ),
        Kind::DeliveryFailed => (
            "Delivery failed".into(),
            format!(
                "{count} deliver{} could not be sent. Open AUTO to resend.",
                if many { "ies" } else { "y" }
            ),
        ),
        Kind::QuestionWaiting => (
            if many {
                format!("{count} questions waiting")
            } else {
                "A buyer's question is waiting".into()
            },
            "Open Conversations in AUTO to answer or approve a draft.".into(),
        ),
    }
}

/// Listens to the engine and notifies, gathering each kind for a few seconds.
pub fn spawn(app: AppHandle, engine: Arc<Engine>) {
    let mut events = engine.events.subscribe();
    let mut closing = engine.events.closing();
    tauri::async_runtime::spawn(async move {
        let mut notifier = Notifier::default();
        let mut pending: BTreeMap<Kind, usize> = BTreeMap::new();
        loop {
            let timeout = tokio::time::sleep(GATHER);
            tokio::select! {
                next = events.recv() => match next {
                    Ok(event) => {
                        if let Some(kind) = notifier.classify(&event) {
                            *pending.entry(kind).or_default() += 1;
                        }
                        continue;
                    }
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                },
                _ = closing.changed() => return,
                _ = timeout => {}
            }
            for (kind, count) in std::mem::take(&mut pending) {
                let (title, body) = text(kind, count);
                tracing::info!(?kind, count, "notification: {title}");
                if let Err(e) = app
                    .notification()
                    .builder()
                    .title(&title)
                    .body(&body)
                    .show()
                {
                    tracing::warn!("cannot show a notification: {e}");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: i64, status: &str, reason: Option<&str>) -> Event {
        Event::Order {
            id,
            order_sn: format!("SN{id}"),
            shop: "shop".into(),
            status: status.into(),
            attention_reason: reason.map(str::to_string),
        }
    }

    #[test]
    fn an_order_is_told_once_per_kind() {
        let mut n = Notifier::default();
        assert_eq!(n.classify(&order(1, "unpaid", None)), None);
        assert_eq!(
            n.classify(&order(1, "delivering", None)),
            Some(Kind::PaidOrder)
        );
        assert_eq!(n.classify(&order(1, "delivered", None)), None, "same order");
        assert_eq!(
            n.classify(&order(2, "needs_attention", Some("out_of_stock"))),
            Some(Kind::OutOfStock)
        );
        assert_eq!(
            n.classify(&order(3, "needs_attention", Some("send_failed"))),
            Some(Kind::DeliveryFailed)
        );
        assert_eq!(n.classify(&order(4, "cancelled", None)), None);
    }

    #[test]
    fn only_questions_left_to_the_seller_are_told() {
        let mut n = Notifier::default();
        let msg = |id, status: &str| Event::Message {
            conversation_id: 1,
            message_id: id,
            reply_status: status.into(),
        };
        assert_eq!(n.classify(&msg(1, "pending")), None, "answered by the FAQ");
        assert_eq!(n.classify(&msg(2, "draft")), Some(Kind::QuestionWaiting));
        assert_eq!(n.classify(&msg(3, "none")), Some(Kind::QuestionWaiting));
        assert_eq!(n.classify(&msg(3, "none")), None);
    }

    #[test]
    fn counts_read_naturally() {
        assert_eq!(text(Kind::PaidOrder, 1).0, "New paid order");
        assert_eq!(text(Kind::PaidOrder, 300).0, "300 new paid orders");
        assert!(text(Kind::OutOfStock, 2).1.starts_with("2 orders wait for"));
        assert!(text(Kind::OutOfStock, 1).1.starts_with("1 order waits for"));
        assert!(text(Kind::DeliveryFailed, 2).1.starts_with("2 deliveries"));
    }
}
