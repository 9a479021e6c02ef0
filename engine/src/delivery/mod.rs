//! Delivery: allocating stock to paid orders, rendering the message, and the outbox the
//! extension drains (fetch, confirm, offer again after a timeout, resend).

mod allocate;
mod outbox;
pub mod parts;
pub mod template;

pub use allocate::{
    allocate_lines, allocate_order, plan, retry_waiting, take, LineToFill, OrderToFill, Plan,
    StockPool, Wait,
};
pub use outbox::{
    cancel_pending, confirm, deliveries_of, lease_pending, resend, DeliveryFilter, PendingDelivery,
};
