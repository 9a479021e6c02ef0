//! AUTO's desktop app: starts the engine in this process on a loopback port, opens a window on
//! the UI it serves (signed in with a one-time code made in this process), and keeps working
//! in the tray when the window is closed. The window runs in a process of its own that ends
//! when it is closed (`window_process.rs` says why). `--hidden` starts in the tray only (how
//! "Start at login" starts AUTO). Quitting stops the server and closes the database.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod notify;
mod tray;
mod trim;
#[cfg(target_os = "linux")]
mod web_extension;
mod window;
mod window_env;
mod window_gl;
mod window_process;

use auto_engine::config::{resolve_data_dir, Config};
use auto_engine::host::{self, Port};
use auto_engine::Engine;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tauri::{Manager, RunEvent};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::oneshot;

/// What the app's parts share: the engine, and how to stop it.
pub struct Desktop {
    pub engine: Arc<Engine>,
    pub base_url: String,
    pub window: window::Window,
    stop: Mutex<Option<oneshot::Sender<()>>>,
}

impl Desktop {
    /// Stops the server, which flushes the index and graph and closes the database; the app
    /// ends when that is done. Safe to call twice.
    pub fn quit(app: &tauri::AppHandle) {
        let desktop = app.state::<Desktop>();
        let stop = desktop
            .stop
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        desktop.window.close();
        if let Some(stop) = stop {
            tracing::info!("quitting: stopping the server");
            let _ = stop.send(());
        }
    }
}

/// Starts in the tray without a window.
const HIDDEN: &str = "--hidden";

fn main() {
    host::tune_allocators();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.iter().any(|a| a == window_process::FLAG) {
        window_process::run()
    } else {
        window::keep_gl_out_of_the_app();
        run(args.iter().any(|a| a == HIDDEN))
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// The app's configuration, icons and capabilities, built into the program.
pub fn context() -> tauri::Context {
    tauri::generate_context!()
}

fn run(hidden: bool) -> anyhow::Result<()> {
    let data_dir = resolve_data_dir(std::env::var_os("AUTO_DATA_DIR").map(PathBuf::from))?;
    let mut config = Config::load(&data_dir)?;
    // Tauri ends the process without returning from `run`, so the log's writer is flushed
    // and let go by the server's task before it ends the app: its last lines are kept.
    let log = Mutex::new(host::init_logging(&data_dir, true)?);
    let port = config.server.port;

    let app = tauri::Builder::default()
        // A second launch shows the running AUTO instead of starting a second engine; one
        // started at login while AUTO already runs leaves it as it is.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            if args.iter().any(|a| a == HIDDEN) {
                tracing::info!("AUTO was launched again, hidden: nothing to show");
            } else {
                tracing::info!("AUTO was launched again: showing the running one");
                window::show(app);
            }
        }))
        .plugin(tauri_plugin_notification::init())
        // At login AUTO starts quietly in the tray.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![HIDDEN]),
        ))
        .setup(move |app| {
            // An installed app carries the UI, and the embedding model with its ONNX Runtime,
            // as resources: it answers from the FAQ offline from the first start.
            if let Ok(dir) = app.path().resource_dir() {
                let ui = dir.join("ui");
                if std::env::var_os("AUTO_UI_DIR").is_none() && ui.join("index.html").is_file() {
                    std::env::set_var("AUTO_UI_DIR", ui);
                }
                let models = dir.join("models");
                let own = &config.assistant.models_dir;
                if !own.join("onnxruntime").is_dir() && models.join("onnxruntime").is_dir() {
                    config.assistant.models_dir = models;
                }
            }
            let hosted = tauri::async_runtime::block_on(host::start(
                &data_dir,
                config,
                Port::Prefer(port),
                true,
            ))?;
            let engine = hosted.engine.clone();
            let base_url = format!("http://{}", hosted.addr);
            println!("AUTO is ready at {base_url}/");
            let (stop_tx, stop_rx) = oneshot::channel::<()>();
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                // Quit in the tray, or SIGTERM / Ctrl-C from outside.
                let shutdown = async move {
                    tokio::select! {
                        _ = stop_rx => {}
                        _ = host::shutdown_signal() => {}
                    }
                };
                match hosted.serve(shutdown).await {
                    Ok(()) => tracing::info!("stopped cleanly"),
                    Err(e) => tracing::error!("the server stopped with an error: {e:#}"),
                }
                drop(log.lock().unwrap_or_else(|p| p.into_inner()).take());
                handle.exit(0);
            });
            app.manage(Desktop {
                engine: engine.clone(),
                base_url,
                window: window::Window::default(),
                stop: Mutex::new(Some(stop_tx)),
            });
            tray::build(app.handle())?;
            // A click on a notification opens the window (registered before the first one is
            // shown: only notifications shown while a handler exists report clicks).
            let handle = app.handle().clone();
            app.notification().on_action(move |performed| {
                if performed.action_id() == "tap" {
                    window::show(&handle);
                }
            })?;
            notify::spawn(app.handle().clone(), engine);
            trim::after_start();
            if hidden {
                tracing::info!("started hidden: AUTO works from the tray");
            } else {
                window::show(app.handle());
            }
            Ok(())
        })
        .build(context())?;
    app.run(|app, event| {
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            // The last window closing is not a quit; Quit in the tray is.
            api.prevent_exit();
            let _ = app;
        }
    });
    Ok(())
}
