//! One sync of every connected shop (settle, pull orders, send, pull buyers' messages, send
//! replies), on request or by the background poller every `poll_interval_secs`, which waits
//! longer while Shopee is busy.

use super::chat::{self, ChatReport};
use super::session::Session;
use super::{auth, blocking, orders, store, RoadError};
use crate::{Engine, Error, Result};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

pub use auto_api::{ShopSync, SyncReport};

/// What a sync of every shop did, and whether Shopee was busy or rate-limiting for any of them
/// (the poller then waits longer; the seller sees only the report).
pub struct Synced {
    pub report: SyncReport,
    pub busy: bool,
}

/// Syncs every connected shop now; one sync at a time in this process.
pub async fn sync_all(engine: Arc<Engine>) -> Result<Synced> {
    let road = &engine.shopee;
    let _one_at_a_time = road.sync_lock.lock().await;
    let (client, shops) = {
        let e = engine.clone();
        tokio::task::spawn_blocking(move || {
            Ok::<_, Error>((auth::client(&e)?, e.db.read(store::shop_ids)?))
        })
        .await
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))??
    };
    // Sends a crashed process left unanswered are settled first, whatever their age: no
    // other send of this process can be in flight before its first sync.
    let settle_all = !road.reconciled.swap(true, Ordering::SeqCst);
    let mut synced = Synced {
        report: SyncReport::default(),
        busy: false,
    };
    for shop_id in shops {
        let (done, busy) = sync_shop(&engine, client.clone(), shop_id, settle_all).await;
        synced.report.shops.push(done);
        synced.busy |= busy;
    }
    Ok(synced)
}

async fn sync_shop(
    engine: &Arc<Engine>,
    client: super::client::Client,
    shop_id: u64,
    settle_all: bool,
) -> (ShopSync, bool) {
    let mut out = ShopSync {
        shop_id,
        ..ShopSync::default()
    };
    let mut busy = false;
    let session = match Session::open(engine.clone(), client, shop_id).await {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(e.to_string());
            return (out, busy);
        }
    };
    let mut chat = ChatReport::default();
    let result = steps(&session, settle_all, &mut out, &mut chat).await;
    out.deliveries_sent = chat.deliveries_sent as u64;
    out.replies_sent = chat.replies_sent as u64;
    out.refused = chat.refused as u64;
    out.settled = chat.settled as u64;
    out.messages = chat.messages as u64;
    out.calls = session.counters.calls.load(Ordering::Relaxed);
    if let Err(e) = &result {
        busy = matches!(e, RoadError::Shopee(c) if c.is_busy());
        out.error = Some(e.to_string());
        tracing::warn!(shop_id, "Shopee sync stopped: {e}");
    }
    if out.error.is_none() && out.orders_rejected > 0 {
        out.error = Some(format!(
            "{} orders Shopee sent could not be taken in; redacted copies to send to AUTO's makers are in {}",
            out.orders_rejected,
            super::samples::dir(&engine.data_dir).display()
        ));
    }
    let error = out.error.clone();
    if let Err(e) = blocking(engine, move |en| {
        en.db
            .write(|c| store::finish_sync(c, shop_id, error.as_deref()))
    })
    .await
    {
        tracing::warn!(shop_id, "could not record the sync: {e}");
    }
    (out, busy)
}

async fn steps(
    session: &Session,
    settle_all: bool,
    out: &mut ShopSync,
    chat: &mut ChatReport,
) -> std::result::Result<(), RoadError> {
    chat::settle(session, settle_all, chat).await?;
    let pulled = orders::pull(session).await?;
    out.orders_seen = pulled.seen as u64;
    out.orders_new = pulled.new as u64;
    out.orders_rejected = pulled.rejected as u64;
    chat::send_outbox(session, chat).await?;
    chat::pull_messages(session, chat).await?;
    // Answers the FAQ gave to the messages just taken in go out in the same sync.
    chat::send_outbox(session, chat).await?;
    Ok(())
}

/// Polls while the server runs: every `poll_interval_secs` (0: only on request), waiting up
/// to fifteen minutes while Shopee is busy; wakes at once when a shop is connected.
pub fn spawn_poller(engine: Arc<Engine>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let interval = engine.config.shopee.poll_interval_secs;
        // The first sync comes soon after start: orders paid while AUTO was off are waiting.
        let mut wait = Duration::from_secs(interval.clamp(1, 5));
        loop {
            tokio::select! {
                _ = engine.shopee.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
            if interval == 0
                && !engine
                    .shopee
                    .woken_for_connect
                    .swap(false, Ordering::SeqCst)
            {
                wait = Duration::from_secs(3600);
                continue;
            }
            let configured = {
                let e = engine.clone();
                tokio::task::spawn_blocking(move || {
                    e.db.read(store::shop_ids).map(|s| !s.is_empty())
                })
                .await
                .ok()
                .and_then(|r| r.ok())
                .unwrap_or(false)
            };
            if !configured {
                wait = Duration::from_secs(interval.max(1));
                continue;
            }
            let busy = match sync_all(engine.clone()).await {
                Ok(synced) => synced.busy,
                Err(e) => {
                    tracing::warn!("Shopee sync could not start: {e}");
                    false
                }
            };
            let base = Duration::from_secs(interval.max(1));
            wait = if busy {
                (wait * 2).clamp(base, Duration::from_secs(15 * 60))
            } else if interval == 0 {
                Duration::from_secs(3600)
            } else {
                base
            };
        }
    })
}
