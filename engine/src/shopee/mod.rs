//! The second road to Shopee: the seller's own Open Platform v2 app, called from the engine
//! with reqwest. Orders are pulled by polling (a desktop app has no public URL for Shopee's
//! push) into the same intake as the extension's; deliveries and replies go out through
//! seller chat from the same outbox, leased like the extension's so that no road sends what
//! the other holds. Works with the browser closed.
//!
//! - `sign`: the request signature; `client`: signed calls and Shopee's envelope;
//! - `store`: credentials, shops and tokens (sealed), sync marks;
//! - `session`: one shop's calls with fresh tokens and patience when Shopee is busy;
//! - `auth`: the authorization link and the code → token trade;
//! - `orders`: the order pull; `chat`: deliveries, replies and buyer messages;
//! - `samples`: redacted copies of the orders that could not be read, for the seller to hand over;
//! - `sync`: one sync of every shop, and the background poller.

pub mod auth;
pub mod chat;
pub mod cli;
pub mod client;
pub mod orders;
pub mod outbox;
pub mod samples;
pub mod session;
pub mod sign;
pub mod store;
pub mod sync;

use crate::{Engine, Error};
use client::CallError;
use std::sync::Arc;

/// What stopped a piece of Open Platform work.
#[derive(Debug)]
pub enum RoadError {
    /// Shopee refused, or could not be reached.
    Shopee(CallError),
    /// The shop's authorization is gone: the seller must authorize it again.
    Reauthorize(String),
    /// AUTO's own storage or rules.
    Engine(Error),
}

impl From<CallError> for RoadError {
    fn from(e: CallError) -> Self {
        RoadError::Shopee(e)
    }
}
impl From<Error> for RoadError {
    fn from(e: Error) -> Self {
        RoadError::Engine(e)
    }
}

impl std::fmt::Display for RoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoadError::Shopee(e) => e.fmt(f),
            RoadError::Reauthorize(m) => f.write_str(m),
            RoadError::Engine(e) => e.fmt(f),
        }
    }
}

impl From<RoadError> for Error {
    fn from(e: RoadError) -> Self {
        match e {
            RoadError::Engine(e) => e,
            other => Error::Upstream(other.to_string()),
        }
    }
}

/// Runs engine work (SQLite, crypto) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    engine: &Arc<Engine>,
    f: impl FnOnce(&Engine) -> crate::Result<T> + Send + 'static,
) -> Result<T, RoadError> {
    let e = engine.clone();
    match tokio::task::spawn_blocking(move || f(&e)).await {
        Ok(r) => r.map_err(RoadError::Engine),
        Err(join) => Err(RoadError::Engine(Error::Io(std::io::Error::other(
            join.to_string(),
        )))),
    }
}

/// The road's state in a running engine: one sync at a time per process, and whether this
/// process has reconciled the sends an earlier one may have left half done.
#[derive(Default)]
pub struct Road {
    pub(crate) sync_lock: tokio::sync::Mutex<()>,
    pub(crate) reconciled: std::sync::atomic::AtomicBool,
    /// Wakes the poller (a shop was just connected: its first sync starts at once).
    pub(crate) wake: tokio::sync::Notify,
    pub(crate) woken_for_connect: std::sync::atomic::AtomicBool,
}

impl Road {
    /// Asks the poller for a sync now.
    pub fn wake_poller(&self) {
        self.woken_for_connect
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }
}
