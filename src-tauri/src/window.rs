//! The window on the UI. It opens on a one-time sign-in link made in this process: the code
//! never appears on a command line or in a log (the request log omits query strings), it
//! works once, and the session it buys lives in an HttpOnly cookie no script can read.

use crate::Desktop;
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

const MAIN: &str = "main";

/// Shows and focuses the window, opening it (signed in) when there is none.
pub fn show(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    if let Err(e) = open(app) {
        tracing::error!("cannot open AUTO's window: {e:#}");
    }
}

fn open(app: &AppHandle) -> anyhow::Result<()> {
    let desktop = app.state::<Desktop>();
    let code = desktop.engine.create_signin_code()?;
    let url = format!("{}/signin?code={code}", desktop.base_url).parse()?;
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::External(url))
        .title("AUTO")
        .inner_size(1200.0, 800.0)
        .min_inner_size(720.0, 480.0)
        .build()?;
    Ok(())
}
