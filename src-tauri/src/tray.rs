//! The tray icon: today's orders and pending deliveries at a glance, and the menu (open,
//! pause auto-delivery, start at login, quit). The status refreshes every few seconds.

use crate::{window, Desktop};
use std::time::Duration;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_autostart::ManagerExt;

pub const TRAY_ID: &str = "auto-tray";

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let status = MenuItem::with_id(app, "status", "AUTO is starting…", false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open AUTO", true, None::<&str>)?;
    let paused = app.state::<Desktop>().engine.delivery_paused();
    let pause = CheckMenuItem::with_id(
        app,
        "pause",
        "Pause auto-delivery",
        true,
        paused,
        None::<&str>,
    )?;
    let at_login = app.autolaunch().is_enabled().unwrap_or(false);
    let login =
        CheckMenuItem::with_id(app, "login", "Start at login", true, at_login, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit AUTO", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &pause,
            &login,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let icon = app
        .default_window_icon()
        .cloned()
        .ok_or_else(|| tauri::Error::AssetNotFound("the app icon".into()))?;
    let pause_item = pause.clone();
    let login_item = login.clone();
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon)
        .tooltip("AUTO")
        .menu(&menu)
        .on_menu_event(move |app, event| match event.id().as_ref() {
            "open" => window::show(app),
            "pause" => toggle_pause(app, &pause_item),
            "login" => toggle_login(app, &login_item),
            "quit" => Desktop::quit(app),
            _ => {}
        })
        .build(app)?;
    tracing::info!("tray icon ready");
    spawn_status(app.clone(), status, pause);
    Ok(())
}

fn toggle_pause(app: &AppHandle, item: &CheckMenuItem<Wry>) {
    let engine = app.state::<Desktop>().engine.clone();
    let paused = !engine.delivery_paused();
    match engine.set_delivery_paused(paused) {
        Ok(()) => tracing::info!(paused, "auto-delivery pause changed from the tray"),
        Err(e) => tracing::error!("cannot change the auto-delivery pause: {e}"),
    }
    let _ = item.set_checked(engine.delivery_paused());
}

fn toggle_login(app: &AppHandle, item: &CheckMenuItem<Wry>) {
    let autolaunch = app.autolaunch();
    let result = if autolaunch.is_enabled().unwrap_or(false) {
        autolaunch.disable()
    } else {
        autolaunch.enable()
    };
    if let Err(e) = result {
        tracing::warn!("cannot change start at login: {e}");
    }
    let _ = item.set_checked(autolaunch.is_enabled().unwrap_or(false));
}

/// Refreshes the status line, the tooltip and the pause check every few seconds (the pause
/// can also change from the UI).
fn spawn_status(app: AppHandle, status: MenuItem<Wry>, pause: CheckMenuItem<Wry>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            let engine = app.state::<Desktop>().engine.clone();
            let offset = chrono::Local::now().offset().local_minus_utc() as i64 / 60;
            let today = tokio::task::spawn_blocking(move || engine.today(offset)).await;
            let Ok(Ok(today)) = today else { continue };
            let paused = app.state::<Desktop>().engine.delivery_paused();
            let line = status_line(today.orders_today, today.pending_deliveries, paused);
            let _ = status.set_text(&line);
            let _ = pause.set_checked(paused);
            if let Some(tray) = app.tray_by_id(TRAY_ID) {
                let _ = tray.set_tooltip(Some(format!("AUTO — {line}")));
            }
        }
    });
}

fn status_line(orders: i64, pending: i64, paused: bool) -> String {
    let orders = match orders {
        1 => "1 order today".to_string(),
        n => format!("{n} orders today"),
    };
    let pending = match pending {
        1 => "1 delivery pending".to_string(),
        n => format!("{n} deliveries pending"),
    };
    if paused {
        format!("{orders} · {pending} (paused)")
    } else {
        format!("{orders} · {pending}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_status_line_counts_in_words() {
        assert_eq!(
            super::status_line(1, 0, false),
            "1 order today · 0 deliveries pending"
        );
        assert_eq!(
            super::status_line(12, 1, true),
            "12 orders today · 1 delivery pending (paused)"
        );
    }
}
