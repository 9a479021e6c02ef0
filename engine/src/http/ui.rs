//! The UI's files (the Dioxus build in `ui/dist`) served at `/`, with `index.html` for every
//! path the UI routes itself. The files are public (they hold no data); the data behind them
//! needs the session cookie.

use axum::http::{header, HeaderValue};
use axum::response::Html;
use axum::Router;
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Where the UI's files are: `AUTO_UI_DIR`, else next to the program (an installed app), else
/// the repository's `ui/dist` when the program runs from `target/<profile>/`.
pub fn ui_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("AUTO_UI_DIR") {
        return Some(PathBuf::from(dir)).filter(|d| d.join("index.html").is_file());
    }
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?;
    let candidates = [
        bin.join("ui"),
        bin.join("../lib/auto/ui"),
        bin.join("../share/auto/ui"),
        bin.join("../../ui/dist"),
        bin.join("../../../ui/dist"),
    ];
    candidates
        .into_iter()
        .find(|d| d.join("index.html").is_file())
        .and_then(|d| d.canonicalize().ok())
}

/// The routes for the UI's files, or a plain page saying how to build them.
pub fn routes<S: Clone + Send + Sync + 'static>(dir: Option<&Path>) -> Router<S> {
    let Some(dir) = dir else {
        return Router::new().fallback(|| async { Html(NO_UI) });
    };
    let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    Router::new()
        .fallback_service(files)
        // Local files change with every build and cost nothing to fetch again.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
}

const NO_UI: &str = "<!doctype html><meta charset=utf-8><title>AUTO</title>\
    <h1>AUTO is running</h1><p>The UI has not been built: run <code>scripts/build-ui.sh</code> \
    (the README's run command does it) or set <code>AUTO_UI_DIR</code>.</p>\
    <p>The local API is at <a href=/api/v1/health>/api/v1/health</a>; its description is \
    <a href=/api/v1/openapi.json>/api/v1/openapi.json</a>.</p>";
