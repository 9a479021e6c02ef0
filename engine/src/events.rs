//! What happened in the engine, told as it happens: the UI's live updates (server-sent
//! events) and the desktop app's notifications listen here. Events carry ids and states,
//! never stock secrets or message text; a listener reads details through the API.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::{broadcast, watch};

/// One change the seller may want to see at once.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// An order was reported or moved (paid, delivered, needs attention...).
    Order {
        id: i64,
        order_sn: String,
        shop: String,
        status: String,
        attention_reason: Option<String>,
    },
    /// Several orders moved at once (stock arrived for orders that waited); refresh lists.
    Orders { changed: usize },
    /// A delivery was resent or confirmed (a new one shows as its order's `order` event).
    Delivery {
        id: i64,
        order_id: i64,
        status: String,
    },
    /// Auto-delivery was paused or resumed.
    DeliveryPaused { paused: bool },
    /// A buyer wrote; `reply_status` says what the assistant did (sent, pending, draft, none).
    Message {
        conversation_id: i64,
        message_id: i64,
        reply_status: String,
    },
    /// A product's stock changed: an import, or orders that took items (once per product and
    /// batch of orders).
    Stock { product_id: i64 },
    /// A product's available stock crossed its low-stock threshold downwards: told once per
    /// crossing, not once per sale; `waiting` counts orders waiting for it.
    LowStock {
        product_id: i64,
        name: String,
        available: i64,
        threshold: i64,
        waiting: i64,
    },
    /// A product was created, edited or deleted.
    Product { id: i64 },
    /// The FAQ index moved on (imports, model changes).
    Faq { indexed: usize, variants: usize },
}

impl Event {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Order { .. } => "order",
            Event::Orders { .. } => "orders",
            Event::Delivery { .. } => "delivery",
            Event::DeliveryPaused { .. } => "delivery_paused",
            Event::Message { .. } => "message",
            Event::Stock { .. } => "stock",
            Event::LowStock { .. } => "low_stock",
            Event::Product { .. } => "product",
            Event::Faq { .. } => "faq",
        }
    }
}

/// The engine's event bus. Sending never blocks and never fails: with no listener the event
/// is dropped, and a listener that falls more than `CAPACITY` behind is told it lagged.
pub struct Events {
    tx: broadcast::Sender<Event>,
    /// Set when the server stops, so that long-lived listeners (SSE) end and let it.
    closing: watch::Sender<bool>,
    /// News told once: (kind, id) → the version last told (see `send_once`).
    told: Mutex<HashMap<(&'static str, i64), i64>>,
}

const CAPACITY: usize = 1024;

impl Default for Events {
    fn default() -> Self {
        Events {
            tx: broadcast::channel(CAPACITY).0,
            closing: watch::channel(false).0,
            told: Mutex::new(HashMap::new()),
        }
    }
}

impl Events {
    pub fn send(&self, event: Event) {
        let _ = self.tx.send(event);
    }

    /// Sends news that stays news until it changes (a product low on stock since a given
    /// time) once: not again for the same `key` at the same `version`, however often asked.
    /// Returns whether it was sent.
    pub fn send_once(&self, key: (&'static str, i64), version: i64, event: Event) -> bool {
        let mut told = self.told.lock().unwrap_or_else(|p| p.into_inner());
        if told.get(&key) == Some(&version) {
            return false;
        }
        told.insert(key, version);
        drop(told);
        self.send(event);
        true
    }

    /// Whether anyone listens: hot paths (order intake) skip building events when no one does.
    pub fn listening(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }

    /// Resolves to true once the server is stopping.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Tells long-lived listeners to finish.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}
