//! Delivery: allocating stock to paid orders, rendering the message, and the outbox the
//! extension drains (fetch, confirm, offer again after a timeout, resend).

mod after_sale;
mod allocate;
mod order_items;
mod outbox;
pub mod parts;
mod reopen;
pub mod replace;
mod rerender;
pub mod returns;
mod stale;
pub mod template;

pub use allocate::{
    allocate_lines, allocate_order, plan, retry_waiting, take, LineToFill, OrderToFill, Plan,
    StockPool, Wait,
};
pub use order_items::{OrderItem, OrderItems};
pub use outbox::{
    cancel_pending, confirm, deliveries_of, lease_pending, resend, DeliveryFilter, PendingDelivery,
};
pub use rerender::{current_items, resend_current};
pub use returns::{leave_order, mark_revealed, reopen_cancelled, Decision};
pub use stale::{ignore_stale, leaves, note_cancelled, note_reported, note_still_cancelled};
