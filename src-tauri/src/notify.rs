//! Native notifications for what needs the seller: a new paid order, an order out of stock, a
//! delivery that failed, a buyer question waiting, a product running low on stock. A flash sale must not bury the desktop in
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

/// A product that crossed its low-stock threshold (the engine tells each crossing once).
#[derive(Debug, Clone, PartialEq)]
pub struct LowStock {
    pub product_id: i64,
    pub name: String,
    pub available: i64,
    pub waiting: i64,
}

impl LowStock {
    fn from_event(event: &Event) -> Option<LowStock> {
        match event {
            Event::LowStock {
                product_id,
                name,
                available,
                waiting,
                ..
            } => Some(LowStock {
                product_id: *product_id,
                name: name.clone(),
                available: *available,
                waiting: *waiting,
            }),
            _ => None,
        }
    }

    fn left(&self) -> String {
        match self.available {
            0 => format!("{} has none left", self.name),
            n => format!("{} has {n} left", self.name),
        }
    }
}

/// How many products a low-stock notification names before it counts the rest.
const NAMED: usize = 3;

/// The words of a notification about products that ran low, each named with what is left.
pub fn low_stock_text(products: &[LowStock]) -> (String, String) {
    match products {
        [one] => (
            format!("Low stock: {}", one.left()),
            match one.waiting {
                0 => "Import more to keep delivering automatically.".into(),
                1 => "1 order waits for it. Import more to deliver it.".into(),
                n => format!("{n} orders wait for it. Import more to deliver them."),
            },
        ),
        many => {
            let mut body: Vec<String> = many.iter().take(NAMED).map(LowStock::left).collect();
            if many.len() > NAMED {
                body.push(format!("and {} more", many.len() - NAMED));
            }
            (
                format!("Low stock: {} products", many.len()),
                format!("{}.", body.join(", ")),
            )
        }
    }
}

/// Low-stock news gathered for one notification: one entry per product, the latest kept.
fn gather_low_stock(pending: &mut Vec<LowStock>, news: LowStock) {
    match pending.iter_mut().find(|p| p.product_id == news.product_id) {
        Some(p) => *p = news,
        None => pending.push(news),
    }
}

fn show(app: &AppHandle, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!("cannot show a notification: {e}");
    }
}

/// Listens to the engine and notifies, gathering each kind for a few seconds.
pub fn spawn(app: AppHandle, engine: Arc<Engine>) {
    let mut events = engine.events.subscribe();
    let mut closing = engine.events.closing();
    tauri::async_runtime::spawn(async move {
        let mut notifier = Notifier::default();
        let mut pending: BTreeMap<Kind, usize> = BTreeMap::new();
        let mut low: Vec<LowStock> = Vec::new();
        loop {
            let timeout = tokio::time::sleep(GATHER);
            tokio::select! {
                next = events.recv() => match next {
                    Ok(event) => {
                        // Not kept in the notifier's memory: a product that comes back above
                        // its threshold and crosses it again is news again, and the engine
                        // already tells each crossing once.
                        if let Some(news) = LowStock::from_event(&event) {
                            gather_low_stock(&mut low, news);
                        }
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
                show(&app, &title, &body);
            }
            if !low.is_empty() {
                let (title, body) = low_stock_text(&low);
                tracing::info!(products = low.len(), "notification: {title}");
                show(&app, &title, &body);
                low.clear();
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

    fn low(id: i64, name: &str, available: i64, waiting: i64) -> LowStock {
        LowStock {
            product_id: id,
            name: name.into(),
            available,
            waiting,
        }
    }

    #[test]
    fn low_stock_names_the_product_and_what_is_left() {
        let event = Event::LowStock {
            product_id: 7,
            name: "Windows 11 Pro".into(),
            available: 2,
            threshold: 3,
            waiting: 0,
        };
        let news = LowStock::from_event(&event).expect("a low-stock event");
        let (title, body) = low_stock_text(&[news]);
        assert_eq!(title, "Low stock: Windows 11 Pro has 2 left");
        assert!(body.starts_with("Import more"), "{body}");
        let (title, body) = low_stock_text(&[low(7, "Canva", 0, 2)]);
        assert_eq!(title, "Low stock: Canva has none left");
        assert!(body.starts_with("2 orders wait for it"), "{body}");
        assert_eq!(LowStock::from_event(&order(1, "paid", None)), None);
        let mut n = Notifier::default();
        assert_eq!(n.classify(&event), None, "told as low stock, not as a kind");
    }

    #[test]
    fn several_products_low_at_once_are_one_notification() {
        let mut pending = Vec::new();
        gather_low_stock(&mut pending, low(1, "A", 3, 0));
        gather_low_stock(&mut pending, low(2, "B", 1, 0));
        gather_low_stock(&mut pending, low(1, "A", 2, 0));
        assert_eq!(pending.len(), 2, "one line per product, the latest count");
        let (title, body) = low_stock_text(&pending);
        assert_eq!(title, "Low stock: 2 products");
        assert_eq!(body, "A has 2 left, B has 1 left.");
        for id in 3..=5 {
            gather_low_stock(&mut pending, low(id, "C", 0, 0));
        }
        assert!(low_stock_text(&pending).1.ends_with("and 2 more."));
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
