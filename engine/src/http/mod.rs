//! The local HTTP API on 127.0.0.1: routes, middleware and the server loop. Handlers are thin:
//! parse, call one engine operation on a blocking thread, map the result.

mod error;
mod guard;
mod routes;
mod ui;

pub use ui::ui_dir;

pub use error::ApiError;

use crate::Engine;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Shared state of every handler.
#[derive(Clone)]
pub struct App {
    pub engine: Arc<Engine>,
}

impl App {
    /// Runs an engine operation (SQLite, crypto) off the async threads.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Engine) -> crate::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let engine = self.engine.clone();
        match tokio::task::spawn_blocking(move || f(&engine)).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => {
                tracing::error!("engine task failed: {e}");
                Err(ApiError::new(
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "AUTO hit an internal error",
                ))
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "AUTO local API", description = "The API the AUTO UI, the Shopee extension and scripts share. \
        Every call but health, pair and this document needs `Authorization: Bearer <token>`."),
    modifiers(&BearerAuth),
    tags((name = "orders"), (name = "deliveries"), (name = "products"), (name = "assistant"), (name = "access"), (name = "system"), (name = "shopee"))
)]
struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole router: API, OpenAPI document, middleware.
pub fn router(engine: Arc<Engine>) -> Router {
    let max_body = engine.config.server.max_body_bytes;
    let app = App {
        engine: engine.clone(),
    };
    let (api, doc) =
        routes::register(OpenApiRouter::with_openapi(ApiDoc::openapi())).split_for_parts();
    let doc = Arc::new(doc);
    let cors_engine = engine.clone();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|o| cors_engine.origin_allowed(o))
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600));
    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let doc = doc.clone();
            async move { axum::Json((*doc).clone()) }
        }),
    )
    .route("/signin", axum::routing::get(routes::signin))
    .route(
        "/shopee/callback",
        axum::routing::get(routes::shopee_callback),
    )
    .route(
        "/api/{*rest}",
        axum::routing::any(|| async {
            ApiError::not_found("no such endpoint; see /api/v1/openapi.json")
        }),
    )
    .with_state(app)
    .merge(ui::routes(ui_dir().as_deref()))
    .method_not_allowed_fallback(|| async {
        ApiError::new(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this endpoint does not take that method",
        )
    })
    .layer(DefaultBodyLimit::max(max_body))
    .layer(axum::middleware::from_fn(guard::json_errors))
    .layer(cors)
    .layer(axum::middleware::from_fn(guard::host_guard))
    .layer(axum::middleware::from_fn(guard::request_log))
}

/// Serves the API on `listener` until `shutdown` resolves, then flushes the database.
pub async fn serve(
    engine: Arc<Engine>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Orders acknowledged over HTTP are committed at once (safe from a killed process) and
    // fsynced within this period (safe from a power cut); deliveries are synced before they
    // are handed out, whatever this timer does.
    if let Err(e) = engine.db.checkpoint_in_background() {
        tracing::warn!("checkpoints stay in the foreground: {e}");
    }
    let flusher = {
        let engine = engine.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            loop {
                tick.tick().await;
                let e = engine.clone();
                let work = move || {
                    e.db.ensure_durable()?;
                    e.db.checkpoint_if_large(4 * 1024 * 1024)
                };
                if let Ok(Err(err)) = tokio::task::spawn_blocking(work).await {
                    tracing::warn!("background sync or checkpoint failed: {err}");
                }
            }
        })
    };
    let assistant = spawn_assistant_worker(engine.clone());
    let shopee = crate::shopee::sync::spawn_poller(engine.clone());
    let events = engine.clone();
    let shutdown = async move {
        shutdown.await;
        // Live-update streams never end by themselves; graceful shutdown waits for them.
        events.events.close();
    };
    let result = axum::serve(listener, router(engine.clone()))
        .with_graceful_shutdown(shutdown)
        .await;
    flusher.abort();
    assistant.abort();
    shopee.abort();
    let e = engine.clone();
    let _ = tokio::task::spawn_blocking(move || e.close()).await;
    result
}

/// The assistant's background work: embeds FAQ variants waiting for a vector (imports, model
/// changes), records new orders in the memory graph, and saves index and graph when they
/// changed (every 10 s at most; a crash loses nothing, both are rebuilt from SQLite).
fn spawn_assistant_worker(engine: Arc<Engine>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_flush = std::time::Instant::now();
        loop {
            let e = engine.clone();
            let more = match tokio::task::spawn_blocking(move || e.assistant_step()).await {
                Ok(Ok(more)) => more,
                Ok(Err(err)) => {
                    tracing::warn!("assistant background work failed: {err}");
                    false
                }
                Err(_) => false,
            };
            if last_flush.elapsed() >= Duration::from_secs(10) && !more {
                let e = engine.clone();
                if let Ok(Err(err)) = tokio::task::spawn_blocking(move || e.assistant_flush()).await
                {
                    tracing::warn!("could not save the assistant's index or graph: {err}");
                }
                last_flush = std::time::Instant::now();
            }
            if !more {
                tokio::select! {
                    _ = engine.assistant.knowledge.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    })
}
