//! AUTO's desktop app: starts the engine in this process on a loopback port, opens a window on
//! the UI it serves (signed in with a one-time code handed over in-process), and keeps working
//! in the tray when the window is closed. Quitting stops the server and closes the database.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod notify;
mod tray;
mod window;

use auto_engine::config::{resolve_data_dir, Config};
use auto_engine::host::{self, Port};
use auto_engine::Engine;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tauri::{Manager, RunEvent, WindowEvent};
use tokio::sync::oneshot;

/// What the app's parts share: the engine, and how to stop it.
pub struct Desktop {
    pub engine: Arc<Engine>,
    pub base_url: String,
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
        if let Some(stop) = stop {
            tracing::info!("quitting: stopping the server");
            let _ = stop.send(());
        }
    }
}

fn main() {
    host::tune_allocators();
    if let Err(e) = run() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let data_dir = resolve_data_dir(std::env::var_os("AUTO_DATA_DIR").map(PathBuf::from))?;
    let mut config = Config::load(&data_dir)?;
    let _log = host::init_logging(&data_dir, true)?;
    let port = config.server.port;

    let app = tauri::Builder::default()
        // A second launch focuses the first window instead of starting a second engine.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("AUTO was launched again: showing the running one");
            window::show(app);
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
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
                handle.exit(0);
            });
            app.manage(Desktop {
                engine: engine.clone(),
                base_url,
                stop: Mutex::new(Some(stop_tx)),
            });
            tray::build(app.handle())?;
            notify::spawn(app.handle().clone(), engine);
            window::show(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps AUTO running in the tray.
            if let WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .build(tauri::generate_context!())?;
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
