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
    // Canvases painted on the CPU as the page is: the web process has no GL (window_gl.rs),
    // and this keeps WebKit from trying it for them.
    ("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"),
];

/// Gives the window process the light settings the seller's environment does not override.
pub fn apply(command: &mut Command) {
    apply_unless(command, |name| std::env::var_os(name).is_some());
}

fn apply_unless(command: &mut Command, set_by_seller: impl Fn(&str) -> bool) {
    for (name, value) in LIGHT {
        if !set_by_seller(name) {
            command.env(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::process::Command;

    #[test]
    fn what_the_seller_set_wins() {
        let mut command = Command::new("auto-desktop");
        super::apply_unless(&mut command, |name| name == "JSC_useJIT");
        let envs: Vec<(&OsStr, Option<&OsStr>)> = command.get_envs().collect();
        assert!(envs.contains(&(
            "WEBKIT_DISABLE_DMABUF_RENDERER".as_ref(),
            Some("1".as_ref())
        )));
        assert!(envs.contains(&("MALLOC_ARENA_MAX".as_ref(), Some("2".as_ref()))));
        assert!(
            envs.iter().all(|(name, _)| *name != "JSC_useJIT"),
            "the seller's own JSC_useJIT is left to the window process"
        );
    }
}
