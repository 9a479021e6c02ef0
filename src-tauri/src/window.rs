//! The window on the UI, as the app sees it: a process of its own (`window_process.rs`) that
//! is started when the seller opens AUTO and ends when they close the window, taking WebKit's
//! memory with it. It opens on a one-time sign-in link made in this process and handed over a
//! pipe: the code never appears on a command line or in a log (the request log omits query
//! strings), it works once, and the session it buys lives in an HttpOnly cookie.

use crate::{window_process, Desktop};
use std::io::Write;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager};

/// Whether this process turned GTK's OpenGL off for itself only (`keep_gl_out_of_the_app`).
static GL_OFF_HERE: AtomicBool = AtomicBool::new(false);

/// GTK on X11 sets OpenGL up when it opens the display, to choose its visuals: that loads the
/// system's GL driver (with software rendering, Mesa's llvmpipe and LLVM: about 25 MB) into a
/// process that only shows a tray icon. The app draws nothing with GL, so GTK is told not to;
/// the window process gets the environment the seller gave. Call before GTK starts, while this
/// process has one thread.
pub fn keep_gl_out_of_the_app() {
    if std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
        GL_OFF_HERE.store(true, Ordering::SeqCst);
    }
}

/// The window process while there is one.
#[derive(Default)]
pub struct Window {
    running: Mutex<Option<Running>>,
}

struct Running {
    /// The app's end of the pipe; dropping it closes the window.
    input: ChildStdin,
    alive: Arc<AtomicBool>,
}

impl Window {
    /// Brings the window forward, starting it (signed in) when there is none.
    pub fn show(&self, desktop: &Desktop) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = running.as_mut() {
            if r.alive.load(Ordering::SeqCst) && writeln!(r.input, "show").is_ok() {
                return;
            }
        }
        match open(desktop) {
            Ok(r) => *running = Some(r),
            Err(e) => tracing::error!("cannot open AUTO's window: {e:#}"),
        }
    }

    /// Closes the window, if open (Quit).
    pub fn close(&self) {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }
}

/// Shows the window (tray, notification click, second launch).
pub fn show(app: &AppHandle) {
    let desktop = app.state::<Desktop>();
    desktop.window.show(&desktop);
}

fn open(desktop: &Desktop) -> anyhow::Result<Running> {
    let code = desktop.engine.create_signin_code()?;
    let link = format!("{}/signin?code={code}", desktop.base_url);
    let mut command = own_program();
    command.arg(window_process::FLAG).stdin(Stdio::piped());
    if GL_OFF_HERE.load(Ordering::SeqCst) {
        command.env_remove("GDK_GL");
    }
    crate::window_env::apply(&mut command);
    let mut child = command.spawn()?;
    let mut input = child.stdin.take().expect("stdin is piped");
    writeln!(input, "{link}")?;
    let alive = Arc::new(AtomicBool::new(true));
    let watch = alive.clone();
    std::thread::Builder::new()
        .name("window-watch".into())
        .spawn(move || {
            let status = child.wait();
            watch.store(false, Ordering::SeqCst);
            // WebKit's processes end a moment after the window's; then the libraries' pages
            // they shared with this process are this process's alone, and can go too.
            std::thread::sleep(std::time::Duration::from_secs(2));
            crate::trim::release();
            match status {
                Ok(s) if s.success() => tracing::info!("window closed; its memory is freed"),
                Ok(s) => tracing::warn!("the window's process ended: {s}"),
                Err(e) => tracing::warn!("cannot wait for the window's process: {e}"),
            }
        })?;
    tracing::info!("window opened");
    Ok(Running { input, alive })
}

/// This very program; on Linux also when an update replaced its file while it runs.
fn own_program() -> Command {
    let exe = std::env::current_exe().unwrap_or_else(|_| "auto-desktop".into());
    #[cfg(target_os = "linux")]
    if !exe.exists() {
        use std::os::unix::process::CommandExt;
        let mut command = Command::new("/proc/self/exe");
        command.arg0(exe);
        return command;
    }
    Command::new(exe)
}
