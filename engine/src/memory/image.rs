//! The graph's file: loading it (or setting a bad one aside) and replacing it atomically.
//!
//! indradb writes its msgpack image to a temp file in the *system* temp dir and renames it onto
//! the datastore's path; that rename fails when the temp dir is another filesystem (a tmpfs
//! `/tmp`). So the datastore's path is a private staging file in the temp dir, and `write`
//! moves the staged image next to the real file before renaming it into place.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use indradb::MemoryDatastore;

use super::graph::Db;
use super::MemoryError;

/// A loaded (or fresh) datastore, and whether it must be rebuilt from SQLite.
pub(super) struct Loaded {
    pub db: Db,
    pub needs_rebuild: bool,
}

/// A staging path unique to this process and call, in the system temp dir.
pub(super) fn staging_path() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!(
        "auto-memory-{}-{n}-{nanos}.graph",
        std::process::id()
    ))
}

/// An empty datastore that will stage its image at `staging`.
pub(super) fn empty(staging: &Path) -> Db {
    MemoryDatastore::create_msgpack_db(staging)
}

/// Loads the image at `path`. A missing file gives an empty graph; an unreadable one is moved
/// aside (the graph is rebuildable, so it never stops the app from starting).
pub(super) fn load(path: &Path, staging: &Path) -> Loaded {
    if let Err(e) = fs::symlink_metadata(path) {
        if e.kind() == io::ErrorKind::NotFound {
            return Loaded {
                db: empty(staging),
                needs_rebuild: true,
            };
        }
    }
    match read(path, staging) {
        Ok(db) => Loaded {
            db,
            needs_rebuild: false,
        },
        Err(reason) => {
            let aside = corrupt_path(path);
            match fs::rename(path, &aside) {
                Ok(()) => tracing::warn!(
                    path = %path.display(), moved_to = %aside.display(), %reason,
                    "the memory graph is unreadable; moved it aside, it will be rebuilt from the database"
                ),
                Err(e) => tracing::warn!(
                    path = %path.display(), %reason, error = %e,
                    "the memory graph is unreadable and could not be moved aside; it will be rebuilt and overwritten"
                ),
            }
            Loaded {
                db: empty(staging),
                needs_rebuild: true,
            }
        }
    }
}

fn read(path: &Path, staging: &Path) -> Result<Db, String> {
    let copied = File::open(path).and_then(|mut from| {
        let mut to = create_private(staging)?;
        io::copy(&mut from, &mut to)
    });
    if let Err(e) = copied {
        let _ = fs::remove_file(staging);
        return Err(e.to_string());
    }
    let db = MemoryDatastore::read_msgpack_db(staging);
    let _ = fs::remove_file(staging);
    db.map_err(|e| e.to_string())
}

/// Creates `path` afresh, readable by this user only, never through a link left in its place.
fn create_private(path: &Path) -> io::Result<File> {
    let open = || {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path)
    };
    match open() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            open()
        }
        other => other,
    }
}

/// Writes the image: indradb stages it, then it replaces `path` in one rename, so a crash
/// leaves either the old image or the new one, never half of one.
pub(super) fn write(db: &Db, staging: &Path, path: &Path) -> Result<(), MemoryError> {
    let file_error = |action, path: &Path| {
        let path = path.to_path_buf();
        move |source| MemoryError::File {
            action,
            path,
            source,
        }
    };
    db.sync()
        .map_err(io::Error::other)
        .map_err(file_error("write", staging))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(file_error("create the folder of", path))?;
    }
    let installed = sync_file(staging).and_then(|()| fs::rename(staging, path));
    if installed.is_err() {
        // Most likely another filesystem: copy next to the target, then rename there.
        let tmp = with_suffix(path, ".tmp");
        copy_synced(staging, &tmp).map_err(file_error("write", &tmp))?;
        fs::rename(&tmp, path).map_err(file_error("replace", path))?;
        let _ = fs::remove_file(staging);
    }
    sync_parent(path);
    Ok(())
}

fn sync_file(path: &Path) -> io::Result<()> {
    OpenOptions::new().write(true).open(path)?.sync_all()
}

fn copy_synced(from: &Path, to: &Path) -> io::Result<()> {
    let mut source = File::open(from)?;
    let mut target = create_private(to)?;
    io::copy(&mut source, &mut target)?;
    target.sync_all()
}

/// Makes the rename itself durable where the OS allows syncing a directory.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
            tracing::debug!(dir = %dir.display(), error = %e, "could not sync the memory graph's folder");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn corrupt_path(path: &Path) -> PathBuf {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    with_suffix(path, &format!(".corrupt-{ts}"))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}
