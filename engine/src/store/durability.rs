//! The durability barrier. Commits run with `synchronous = NORMAL`: they survive a killed
//! process (the WAL is in the OS page cache) but not a power cut. Before AUTO hands a delivery
//! out, it must be on disk, or a power cut could give its key to a second order after restart.
//!
//! The barrier is one tiny commit on a connection with `synchronous = FULL`, which fsyncs the
//! WAL file and with it every frame committed before it, from any connection or process. One
//! fsync (~3 ms here) then covers any number of earlier commits, and callers that arrive while
//! one barrier runs find nothing new to sync and return at once: group commit for free.

use crate::Result;
use rusqlite::Connection;
use std::path::Path;
use std::sync::Mutex;

pub(super) struct Barrier {
    state: Mutex<State>,
}

struct State {
    conn: Connection,
    /// `PRAGMA data_version` when the last barrier ran; it changes whenever another
    /// connection commits, so an unchanged value means nothing new needs syncing.
    synced_version: i64,
}

impl Barrier {
    pub(super) fn open(path: &Path) -> Result<Barrier> {
        let conn = super::connect(path)?;
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        Ok(Barrier { state: Mutex::new(State { conn, synced_version: -1 }) })
    }

    pub(super) fn ensure(&self) -> Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let version: i64 = state.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if version == state.synced_version {
            return Ok(());
        }
        state.conn.execute_batch(
            "BEGIN IMMEDIATE;
             UPDATE meta SET value = value + 1 WHERE key = 'sync_seq';
             COMMIT;",
        )?;
        // Our own commit does not change our data_version; commits that raced in after we read
        // it are synced too but will trigger one more (cheap) barrier next time.
        state.synced_version = version;
        Ok(())
    }
}
