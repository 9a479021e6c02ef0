//! AUTO's engine: takes Shopee orders in, delivers digital products exactly once, and serves
//! the local HTTP API that the UI, the extension and scripts share.

/// Every program built on the engine (`auto`, the desktop app, the tests) allocates through
/// mimalloc; `host::tune_allocators` says why and how it is set up.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod assistant;
pub mod auth;
pub mod bench;
pub mod catalog;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod engine;
pub mod error;
pub mod events;
pub mod extension_health;
pub mod fields;
pub mod host;
pub mod http;
pub mod memory;
pub mod money;
pub mod orders;
pub mod secrets;
pub mod shopee;
pub mod stats;
pub mod store;

pub use engine::Engine;
pub use error::{Error, Result};

/// The engine's version, as reported by `/api/v1/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
