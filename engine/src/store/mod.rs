//! SQLite storage: connections, migrations, the durability barrier and backups.

mod backup;
mod durability;
mod held;
mod migrations;

pub use backup::{backup_to, restore_from};
pub use held::Held;
pub use migrations::{migrate, migrate_to, MIGRATIONS};

use crate::Result;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The current time in Unix milliseconds, the unit of every time column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Opens a connection with the settings every AUTO connection uses.
pub fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // WAL lets readers run beside the writer; NORMAL skips the per-commit fsync, which the
    // durability barrier adds back exactly where it matters (before a delivery is revealed).
    // Small pages: an order touches ~15 pages (rows plus their indexes), and each commit writes
    // every touched page to the WAL; 1 KiB pages write a quarter of the bytes of 4 KiB ones.
    // (Only takes effect when the file is created.)
    conn.execute_batch(
        "PRAGMA page_size = 1024;
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;
         PRAGMA cache_size = -16000;
         PRAGMA mmap_size = 268435456;
         PRAGMA wal_autocheckpoint = 10000;",
    )?;
    // Intake and allocation use a few dozen statements; the default cache of 16 would evict
    // and re-prepare them on every order.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

/// The database: one writer connection (writes are serialised anyway), a few readers, and the
/// durability barrier.
pub struct Db {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    barrier: durability::Barrier,
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db> {
        let mut writer = connect(path)?;
        migrate(&mut writer)?;
        let barrier = durability::Barrier::open(path)?;
        Ok(Db {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            barrier,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction, committing when it returns Ok.
    /// `f` gets the writer connection inside the transaction.
    ///
    /// BEGIN and COMMIT run as held prepared statements: rusqlite's `Transaction` parses both
    /// anew each time, 22k instructions per transaction, a tenth of taking in a single order.
    pub fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        // Rolls back whatever did not commit: an error, a failed COMMIT, or a panic in `f`
        // (the next writer then finds the connection out of any transaction).
        let open = OpenTransaction(&conn);
        let value = f(open.0)?;
        open.0.prepare_cached("COMMIT")?.execute([])?;
        Ok(value)
    }

    /// Runs `f` on a reader connection (a consistent snapshot when `f` opens a transaction).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match conn {
            Some(c) => c,
            None => connect(&self.path)?,
        };
        let result = f(&conn);
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < 8 {
            pool.push(conn);
        }
        result
    }

    /// Returns once every transaction committed so far, by any connection or process, is
    /// fsynced to disk. Concurrent callers share one fsync (group commit).
    pub fn ensure_durable(&self) -> Result<()> {
        self.barrier.ensure()
    }

    /// How many fsyncs the durability barrier has made.
    pub fn sync_count(&self) -> u64 {
        self.barrier.syncs()
    }

    /// Leaves checkpoints to a background task (`checkpoint_if_large`), so that no commit
    /// stalls while a checkpoint copies the WAL into the main file (a 20 ms pause at p99).
    /// Connections of other processes (the CLI) keep SQLite's own automatic checkpoints.
    pub fn checkpoint_in_background(&self) -> Result<()> {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
        Ok(())
    }

    /// Copies committed WAL frames into the main file when the WAL has grown past `min_bytes`,
    /// without blocking writers (a passive checkpoint); the server runs this in the background
    /// so that commits never pay for a checkpoint's fsyncs.
    pub fn checkpoint_if_large(&self, min_bytes: u64) -> Result<()> {
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        let size = std::fs::metadata(PathBuf::from(wal))
            .map(|m| m.len())
            .unwrap_or(0);
        if size >= min_bytes {
            self.read(|c| {
                c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Flushes and checkpoints the WAL into the main file; called on a clean shutdown.
    pub fn close(&self) -> Result<()> {
        self.ensure_durable()?;
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }
}

/// The writer's transaction between BEGIN and COMMIT; rolls it back when dropped still open.
struct OpenTransaction<'c>(&'c Connection);

impl Drop for OpenTransaction<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            let _ = self.0.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn count(db: &Db) -> i64 {
        db.read(|c| {
            Ok(
                c.query_row("SELECT count(*) FROM meta WHERE key LIKE 't%'", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .unwrap()
    }

    #[test]
    fn a_write_commits_whole_or_leaves_nothing_even_when_it_panics() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("auto.db")).unwrap();
        let insert = |c: &Connection, key: &str| -> Result<()> {
            c.execute("INSERT INTO meta (key, value) VALUES (?1, 1)", [key])?;
            Ok(())
        };
        db.write(|c| insert(c, "t1")).unwrap();
        assert_eq!(count(&db), 1);

        let failed: Result<()> = db.write(|c| {
            insert(c, "t2")?;
            Err(Error::invalid("changed my mind"))
        });
        assert!(failed.is_err());
        assert_eq!(count(&db), 1, "an error rolls back what the write did");

        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<()> = db.write(|c| {
                insert(c, "t3").unwrap();
                panic!("a bug in the middle of a write");
            });
        }));
        assert!(panicked.is_err());
        assert_eq!(count(&db), 1, "a panic rolls back what the write did");

        // The writer is out of any transaction again: the next write begins and commits.
        db.write(|c| insert(c, "t4")).unwrap();
        assert_eq!(count(&db), 2);
    }
}
