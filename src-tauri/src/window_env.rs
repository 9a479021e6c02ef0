//! The environment of the window process (`window_process.rs`): settings of WebKit, of
//! JavaScriptCore and of the C library that only environment variables reach, measured on the
//! dashboard with scripts/measure-memory.sh (README, "Memory: AUTO in the tray"). They apply to
//! the window and the WebKit processes it starts, never to the app; one the seller set wins.

use std::process::Command;

/// Each saved memory on the dashboard and cost nothing a seller sees.
const LIGHT: &[(&str, &str)] = &[
    // The DMA-BUF renderer serves GPU compositing, which the window turns off; without it
    // WebKit's UI side skips setting it up (about 5 MB), on a GPU or not.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // JavaScriptCore's JIT compilers and the code they write (about 9 MB in the web process):
    // the UI is a small wasm app whose dashboard loads as fast interpreted (about 1 s).
    ("JSC_useJIT", "0"),
    // glibc's malloc makes an arena per thread up to 8 per core; WebKit's many threads
    // each keep a heap's worth of freed memory (about 4 MB over the three processes).
    ("MALLOC_ARENA_MAX", "2"),
];

/// Gives the window process the light settings the seller's environment does not override.
pub fn apply(command: &mut Command) {
    for (name, value) in LIGHT {
        if std::env::var_os(name).is_none() {
            command.env(name, value);
        }
    }
}
