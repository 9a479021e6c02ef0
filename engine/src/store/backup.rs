//! Online backup (SQLite's backup API: consistent while the server runs) and restore.

use crate::{Error, Result};
use rusqlite::{backup::Backup, Connection};
use std::path::Path;
use std::time::Duration;

/// Copies the live database at `db_path` into a new file `dest`.
pub fn backup_to(db_path: &Path, dest: &Path) -> Result<()> {
    if dest.exists() {
        return Err(Error::conflict(format!(
            "{} exists; choose a new file name",
            dest.display()
        )));
    }
    let src = super::connect(db_path)?;
    let mut out = Connection::open(dest)?;
    {
        let backup = Backup::new(&src, &mut out)?;
        backup.run_to_completion(256, Duration::from_millis(5), None)?;
    }
    out.execute_batch("PRAGMA journal_mode = DELETE;")?;
    Ok(())
}

/// Replaces the database at `db_path` with the backup `src`, after checking that it is an AUTO
/// database this version can read. The caller makes sure no server is running.
pub fn restore_from(src: &Path, db_path: &Path) -> Result<()> {
    let check = Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::invalid(format!("{} cannot be opened: {e}", src.display())))?;
    let ok: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|_| Error::invalid(format!("{} is not an SQLite database", src.display())))?;
    if ok != "ok" {
        return Err(Error::invalid(format!(
            "{} is damaged: {ok}",
            src.display()
        )));
    }
    let has_orders: bool = check
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'orders'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n == 1)?;
    if !has_orders {
        return Err(Error::invalid(format!(
            "{} is not an AUTO backup",
            src.display()
        )));
    }
    let mut dest = super::connect(db_path)?;
    {
        let backup = Backup::new(&check, &mut dest)?;
        backup.run_to_completion(256, Duration::from_millis(5), None)?;
    }
    super::migrate(&mut dest)?;
    dest.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(())
}
