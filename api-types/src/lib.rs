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
//! (list, detail, trail, deliveries, their stock items), products and their stock, the delivery
//! settings and the dashboard.

mod assistant;
mod catalog;
mod conversations;
mod dashboard;
mod faq;
mod orders;
mod shopee;
mod system;

pub use assistant::*;
pub use catalog::*;
pub use conversations::*;
pub use dashboard::*;
pub use faq::*;
pub use orders::*;
pub use shopee::*;
pub use system::*;

/// The chrono the API's instants are made of, so that users need not keep a second version
/// in step.
pub use chrono;
