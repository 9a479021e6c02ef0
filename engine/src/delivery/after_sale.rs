//! The engine's after-the-sale operations on an order's items: list them, replace a bad one,
//! decide about one held after the order left. Each one transaction, then the events the UI
//! and the desktop app listen to.

use super::order_items::{order_items, OrderItems};
use super::replace::{replace_item, Replaced};
use super::returns::{decide, Decision};
use crate::events::Event;
use crate::{orders, Engine, Result};

impl Engine {
    /// The stock items an order holds or held, masked.
    pub fn order_items(&self, order_id: i64) -> Result<OrderItems> {
        self.db.read(|c| order_items(c, &self.vault, order_id))
    }

    /// Marks an item of an order bad and sends the buyer a fresh one (or queues the
    /// replacement until stock comes). A second identical request finds the item bad already
    /// and is refused: one click, one replacement.
    pub fn replace_item(
        &self,
        order_id: i64,
        item_id: i64,
        reason: &str,
        actor: &str,
    ) -> Result<(Replaced, OrderItems)> {
        let lease_ms = (self.config.delivery.offer_timeout_secs as i64).saturating_mul(1000);
        let (replaced, items, order) = self.db.write(|tx| {
            let r = replace_item(tx, &self.vault, order_id, item_id, reason, actor, lease_ms)?;
            Ok((
                r,
                order_items(tx, &self.vault, order_id)?,
                orders::get_order(tx, order_id)?,
            ))
        })?;
        if let Some(id) = replaced.delivery_id {
            self.events.send(Event::Delivery {
                id,
                order_id,
                status: "pending".into(),
            });
        }
        self.order_event(&order);
        self.events.send(Event::Stock {
            product_id: replaced.product_id,
        });
        self.tell_low_stock();
        Ok((replaced, items))
    }

    /// Puts an item held after its order left back in the pool (orders waiting for the
    /// product take it at once), or voids it.
    pub fn decide_item(
        &self,
        order_id: i64,
        item_id: i64,
        decision: Decision,
        reason: &str,
        actor: &str,
    ) -> Result<OrderItems> {
        let (product_id, delivered, items, order) = self.db.write(|tx| {
            let product_id = decide(tx, &self.vault, order_id, item_id, decision, reason, actor)?;
            let delivered = if decision == Decision::Pool {
                super::retry_waiting(tx, &self.vault, "engine")?
            } else {
                0
            };
            Ok((
                product_id,
                delivered,
                order_items(tx, &self.vault, order_id)?,
                orders::get_order(tx, order_id)?,
            ))
        })?;
        self.order_event(&order);
        self.events.send(Event::Stock { product_id });
        if delivered > 0 {
            self.events.send(Event::Orders { changed: delivered });
        }
        self.tell_low_stock();
        Ok(items)
    }
}
