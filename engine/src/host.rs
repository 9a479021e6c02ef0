//! Hosting the engine: what `auto serve` and the desktop app both do to run it — one process
//! per data dir (a file lock), the loopback listener, the server with its address left in
//! the data dir for `auto signin`, logging, and a clean stop.

use crate::config::Config;
use crate::Engine;
use anyhow::{bail, Context};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a running server leaves its address, for `auto signin`.
pub const SERVER_ADDR_FILE: &str = "server.addr";

/// Which port to listen on.
#[derive(Debug, Clone, Copy)]
pub enum Port {
    /// This one or fail (`auto serve --port`; 0 picks a free one).
    Exactly(u16),
    /// This one if free, else any free one (the desktop app: the extension looks at the
    /// configured port first, and a busy port must not stop the seller's app).
    Prefer(u16),
}

/// A started engine with its listener, holding the data dir's lock.
pub struct Hosted {
    pub engine: Arc<Engine>,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    listener: tokio::net::TcpListener,
    _lock: std::fs::File,
}

/// Locks the data dir, binds the port and opens the engine.
pub async fn start(
    data_dir: &Path,
    config: Config,
    port: Port,
    load_demo: bool,
) -> anyhow::Result<Hosted> {
    let lock = lock_data_dir(data_dir)?;
    let listener = bind(port).await?;
    let started = std::time::Instant::now();
    let dir = data_dir.to_path_buf();
    let engine = tokio::task::spawn_blocking(move || Engine::open(&dir, config, load_demo))
        .await?
        .with_context(|| format!("cannot open AUTO's data in {}", data_dir.display()))?;
    let addr = listener.local_addr()?;
    tracing::info!(data_dir = %data_dir.display(), %addr, ms = started.elapsed().as_millis() as u64, "engine ready");
    Ok(Hosted {
        engine: Arc::new(engine),
        addr,
        data_dir: data_dir.to_path_buf(),
        listener,
        _lock: lock,
    })
}

async fn bind(port: Port) -> anyhow::Result<tokio::net::TcpListener> {
    let wanted = match port {
        Port::Exactly(p) | Port::Prefer(p) => p,
    };
    match tokio::net::TcpListener::bind(("127.0.0.1", wanted)).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => match port {
            Port::Exactly(_) => {
                bail!("port {wanted} is in use; pass --port or stop the other AUTO")
            }
            Port::Prefer(_) => {
                tracing::warn!("port {wanted} is in use; AUTO listens on a free port instead");
                Ok(tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?)
            }
        },
        Err(e) => bail!("cannot listen on 127.0.0.1:{wanted}: {e}"),
    }
}

impl Hosted {
    /// The UI's one-time sign-in link for `code`.
    pub fn signin_url(&self, code: &str) -> String {
        format!("http://{}/signin?code={code}", self.addr)
    }

    /// Serves until `shutdown` resolves, then flushes and closes the database.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let addr_file = self.data_dir.join(SERVER_ADDR_FILE);
        std::fs::write(&addr_file, self.addr.to_string())?;
        let served = crate::http::serve(self.engine, self.listener, shutdown).await;
        let _ = std::fs::remove_file(&addr_file);
        Ok(served?)
    }
}

/// Holds the data dir's lock for as long as AUTO serves it: one server per data dir.
pub fn lock_data_dir(data_dir: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join("auto.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            bail!(
                "another AUTO is already running on {}; stop it first (or pass another --data-dir)",
                data_dir.display()
            )
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Logs go to stderr and, for the server, to a daily file in `<data dir>/logs`; the request
/// log goes only to the file.
pub fn init_logging(
    data_dir: &Path,
    to_file: bool,
) -> anyhow::Result<Option<tracing_appender::non_blocking::WorkerGuard>> {
    use tracing_subscriber::{fmt, prelude::*, EnvFilter};
    let console_filter = EnvFilter::try_from_env("AUTO_LOG").unwrap_or_else(|_| {
        EnvFilter::new(if to_file {
            "info,auto::request=off"
        } else {
            "warn"
        })
    });
    let console = fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_filter(console_filter);
    if !to_file {
        tracing_subscriber::registry().with(console).init();
        return Ok(None);
    }
    let logs = data_dir.join("logs");
    std::fs::create_dir_all(&logs)?;
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::daily(&logs, "auto.log"));
    let file = fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_filter(EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(console)
        .with(file)
        .init();
    Ok(Some(guard))
}

/// Sets the allocators up; call first thing in `main`, before any thread starts.
///
/// Rust's own allocations go to mimalloc (`ALLOCATOR` in lib.rs): under glibc about a fifth of
/// the server's time taking in paid batches went to malloc and free (fastbin consolidation,
/// arena locks between the writer and the HTTP threads). Two of mimalloc's defaults would cost
/// an idle server memory: it backs its arenas with transparent huge pages (the idle server
/// grew from 22 to 33 MB), and it returns freed memory only when the program next allocates,
/// which an idle server does not. So huge pages are off and freed memory goes back at once.
///
/// glibc still serves ONNX Runtime and SQLite. It is kept to two arenas, one per core of the
/// machines AUTO is made for: by default it opens up to eight per core, each keeps what it
/// once held, and the model's loads and releases, spread over the blocking threads, left the
/// idle server 15-20 MB larger after every few. `MALLOC_ARENA_MAX` in the environment wins.
pub fn tune_allocators() {
    // mimalloc's option numbers (v3, as pinned in Cargo.lock; the crate names only some).
    // `freed_memory_goes_back_at_once` checks the purge delay's.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    const ALLOW_THP: libmimalloc_sys::mi_option_t = 43;
    // SAFETY: plain setters, before other threads exist.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
    }
    // The arena mimalloc reserved before `main` was already marked for huge pages.
    #[cfg(target_os = "linux")]
    {
        const PR_SET_THP_DISABLE: i32 = 41;
        extern "C" {
            fn prctl(option: i32, ...) -> i32;
        }
        // SAFETY: a process flag; no memory is passed.
        unsafe {
            prctl(PR_SET_THP_DISABLE, 1u64, 0u64, 0u64, 0u64);
        }
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_ARENA_MAX: i32 = -8;
        extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: sets an allocator limit before any other thread exists.
            unsafe {
                mallopt(M_ARENA_MAX, 2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    fn rss_mib() -> f64 {
        crate::bench::rss_kib(std::process::id()) as f64 / 1024.0
    }

    /// An idle server must not sit on memory it used during a burst: what is freed goes back
    /// to the system without waiting for a later allocation. Measured in a process of its own
    /// (this test binary, asked for this test alone): beside the other tests, whatever they
    /// allocate and free at the same time moves the RSS this reads.
    #[cfg(target_os = "linux")]
    #[test]
    fn freed_memory_goes_back_at_once() {
        const ALONE: &str = "AUTO_TEST_RSS_ALONE";
        if std::env::var_os(ALONE).is_none() {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "host::tests::freed_memory_goes_back_at_once"])
                .args(["--test-threads", "1", "--nocapture"])
                .env(ALONE, "1")
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{text}");
            assert!(text.contains("1 passed"), "the test ran alone: {text}");
            return;
        }
        super::tune_allocators();
        let before = rss_mib();
        let blocks: Vec<Vec<u8>> = (0..96).map(|i| vec![i as u8 | 1; 512 * 1024]).collect();
        let held = rss_mib();
        assert!(
            held - before > 40.0,
            "the blocks were not touched: {before} → {held}"
        );
        drop(std::hint::black_box(blocks));
        let after = rss_mib();
        assert!(
            after - before < 16.0,
            "48 MiB freed, RSS went {before:.1} → {held:.1} → {after:.1} MiB"
        );
    }
}
