//! What crosses AUTO's HTTP API (`/api/v1/...`): the request and response bodies, shared by the
//! engine, which serializes them, and the wasm UI, which reads them. A field renamed or retyped
//! on one side is then a compile error on the other, not a page that silently shows nothing.
//!
//! Plain data only: serde, chrono for instants, nothing that needs an operating system. The
//! `openapi` feature adds utoipa's schemas for the engine's OpenAPI document. The engine keeps
//! its own domain types where they hold more than the wire may (secrets, bookkeeping) and
//! converts at the edge.
//!
//! Moved so far: the FAQ and the assistant, conversations and replies, access and system
//! information, the extension's health report, the Shopee Open Platform road, orders
//! (list, detail, trail, deliveries, their stock items, the seller's actions on one order),
//! products (and the product form) and their stock (withdraw, find by code), the delivery
//! settings and the dashboard.

mod assistant;
mod catalog;
mod conversations;
mod dashboard;
mod faq;
mod order_actions;
mod orders;
mod product_form;
mod shopee;
mod stock_requests;
mod system;

pub use assistant::*;
pub use catalog::*;
pub use conversations::*;
pub use dashboard::*;
pub use faq::*;
pub use order_actions::*;
pub use orders::*;
pub use product_form::*;
pub use shopee::*;
pub use stock_requests::*;
pub use system::*;

/// The chrono the API's instants are made of, so that users need not keep a second version
/// in step.
pub use chrono;
