//! The durability barrier. Commits run with `synchronous = NORMAL`: they survive a killed
//! process (the WAL is in the OS page cache) but not a power cut. Before AUTO hands a delivery
//! out, it must be on disk, or a power cut could give its key to a second order after restart.
//!
//! A commit is durable once the WAL file holding its frames is fsynced (that is all
//! `synchronous = FULL` adds to a commit). So the barrier fsyncs the WAL file itself, without
//! taking SQLite's write lock: writers keep going while it syncs. One fsync covers every commit
//! before it, from any connection or process, and callers that arrive while one runs find
//! nothing new and return at once: group commit for free.

use crate::Result;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

pub(super) struct Barrier {
    state: Mutex<State>,
    wal: PathBuf,
    db: PathBuf,
    syncs: AtomicU64,
}

struct State {
    /// A connection that never writes, used to read `PRAGMA data_version`, which changes
    /// whenever another connection commits: an unchanged value means nothing new to sync.
    conn: Connection,
    synced_version: i64,
}

impl Barrier {
    pub(super) fn open(path: &Path) -> Result<Barrier> {
        let conn = super::connect(path)?;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        Ok(Barrier {
            state: Mutex::new(State {
                conn,
                synced_version: -1,
            }),
            wal: PathBuf::from(wal),
            db: path.to_path_buf(),
            syncs: AtomicU64::new(0),
        })
    }

    pub(super) fn ensure(&self) -> Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // Read before syncing: every commit this version counts has finished writing its frames.
        let version: i64 = state
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if version == state.synced_version {
            return Ok(());
        }
        match std::fs::File::open(&self.wal) {
            Ok(wal) => wal.sync_data()?,
            // No WAL (the last connection checkpointed and removed it): all is in the main file.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::File::open(&self.db)?.sync_all()?
            }
            Err(e) => return Err(e.into()),
        }
        state.synced_version = version;
        self.syncs.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// How many fsyncs the barrier has done (for tests and the bench).
    pub(super) fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }
}
