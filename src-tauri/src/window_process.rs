//! The window on the UI, run as a process of its own (`auto-desktop --window`, started by
//! `window.rs`). WebKit keeps what a page once needed even after the page is gone (its network
//! process never ends, its graphics set-up stays loaded in the process that showed a view), so
//! the only sure way to give the UI's memory back when the window closes is to end the process
//! that held it: closing the window ends this process, and WebKit's processes end with it,
//! while the engine and the tray go on in the app.
//!
//! The app writes the one-time sign-in link as the first line on this process's standard
//! input (never the command line, which other local programs can read), and "show" lines
//! afterwards to bring the window forward. End of input means the app is gone: so is the window.

use std::io::BufRead;
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

/// The flag that makes `auto-desktop` this window process.
pub const FLAG: &str = "--window";
const LABEL: &str = "main";

/// Shows the window on the sign-in link read from standard input until it is closed.
pub fn run() -> anyhow::Result<()> {
    crate::window_gl::go_without_gl();
    let mut link = String::new();
    std::io::stdin().lock().read_line(&mut link)?;
    let link: tauri::Url = link.trim().parse()?;
    let app = tauri::Builder::default()
        .setup(move |app| {
            // A blank page first, so that the settings below apply before the UI's first load.
            let window =
                WebviewWindowBuilder::new(app, LABEL, WebviewUrl::External("about:blank".parse()?))
                    .title("AUTO")
                    .inner_size(1200.0, 800.0)
                    .min_inner_size(720.0, 480.0)
                    .build()?;
            open_light(&window, link)?;
            let handle = app.handle().clone();
            std::thread::spawn(move || follow_the_app(handle));
            Ok(())
        })
        .build(crate::context())?;
    // Closing the window is the last window closing: the process ends (Tauri's default).
    app.run(|_, _| {});
    Ok(())
}

/// Reads the app's requests until its end of the pipe closes, then ends this process.
fn follow_the_app(app: tauri::AppHandle) {
    for line in std::io::stdin().lock().lines() {
        match line.as_deref() {
            Ok("show") => {
                let handle = app.clone();
                let _ = app.run_on_main_thread(move || {
                    if let Some(window) = handle.get_webview_window(LABEL) {
                        let _ = window.unminimize();
                        let _ = window.show();
                        let _ = window.set_focus();
                    }
                });
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    app.exit(0);
}

/// Sets WebKit up for a small dashboard that is mostly left alone, then loads `link`.
///
/// Measured on the dashboard (scripts/measure-memory.sh): GPU compositing set up a graphics
/// context and its layer buffers in the web process (about 80 MB with software GL); a dashboard
/// of cards and simple charts draws as smoothly without. The document-viewer cache model keeps
/// no pages or resources around for a later visit, which a single-page app never makes.
#[cfg(target_os = "linux")]
fn open_light(window: &tauri::WebviewWindow, link: tauri::Url) -> tauri::Result<()> {
    window.with_webview(move |webview| {
        use webkit2gtk::{
            CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
        };
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            settings.set_enable_page_cache(false);
            // Nothing in the UI plays media, draws 3D or speaks.
            settings.set_enable_webgl(false);
            settings.set_enable_webaudio(false);
            settings.set_enable_media(false);
            settings.set_enable_media_stream(false);
            settings.set_enable_mediasource(false);
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
            // Before the UI's first load, which starts the web process that reads it (the
            // desktop test checks the web process has it).
            if let Some(dir) = crate::web_extension::directory() {
                context.set_web_extensions_directory(&dir.to_string_lossy());
            }
        }
        view.load_uri(link.as_str());
    })
}

#[cfg(not(target_os = "linux"))]
fn open_light(window: &tauri::WebviewWindow, link: tauri::Url) -> tauri::Result<()> {
    window.navigate(link)
}
