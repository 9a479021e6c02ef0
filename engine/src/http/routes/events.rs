//! Live updates for the UI: the engine's events as server-sent events.

use crate::events::Event;
use crate::http::guard::Admin;
use crate::http::App;
use axum::extract::State;
use axum::response::sse::{self, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// A stream of `order`, `orders`, `delivery`, `delivery_paused`, `message`, `stock`, `low_stock`,
/// `product` and `faq` events (JSON data: ids and states, never secrets or message text). A
/// listener that fell behind gets `lagged` and should reload what it shows.
#[utoipa::path(get, path = "/api/v1/events", tag = "system", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "server-sent events")))]
pub async fn events(
    State(app): State<App>,
    _: Admin,
) -> Sse<impl Stream<Item = Result<sse::Event, Infallible>>> {
    let rx = app.engine.events.subscribe();
    let closing = app.engine.events.closing();
    let stream = stream::unfold((rx, closing), |(mut rx, mut closing)| async move {
        if *closing.borrow() {
            return None;
        }
        let next = tokio::select! {
            r = rx.recv() => r,
            _ = closing.changed() => return None,
        };
        let event = match next {
            Ok(event) => to_sse(&event),
            Err(RecvError::Lagged(n)) => sse::Event::default()
                .event("lagged")
                .data(format!("{{\"missed\":{n}}}")),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(event), (rx, closing)))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn to_sse(event: &Event) -> sse::Event {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
    sse::Event::default().event(event.name()).data(data)
}
