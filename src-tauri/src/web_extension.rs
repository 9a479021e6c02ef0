//! The window's WebKit web-process extension (`web-extension/trim.c`, built by build.rs and
//! embedded here): it makes the web process hand back the clean file pages and freed malloc
//! memory that loading the page touched once, a few seconds after the page loaded and again
//! when it has been quiet after some work (README, "Memory: AUTO in the tray": the web process
//! on the dashboard 107 -> 68 MB). WebKit loads extensions only from a directory, so the
//! library is written to one of the seller's own (the runtime directory, else the cache), which
//! holds nothing else: WebKit loads every library in it.

use std::path::{Path, PathBuf};

const LIBRARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libauto-web-trim.so"));
const FILE: &str = "libauto-web-trim.so";

/// The directory holding the extension, written there if it is not already; None when it
/// could not be (the window then works as before, only heavier).
pub fn directory() -> Option<PathBuf> {
    if LIBRARY.is_empty() {
        return None;
    }
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
        })
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let dir = base.join("auto-web-extensions");
    match install(&dir, LIBRARY) {
        Ok(()) => Some(dir),
        Err(e) => {
            tracing::warn!(error = %e, dir = %dir.display(), "the web process extension could not be written");
            None
        }
    }
}

/// Writes `library` into `dir` (private to the seller) unless the same bytes are there; a
/// web process starting meanwhile sees the old file or the new one, never half of one.
fn install(dir: &Path, library: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let path = dir.join(FILE);
    if std::fs::read(&path).is_ok_and(|found| found == library) {
        return Ok(());
    }
    let partial = dir.join(format!(".{FILE}.{}", std::process::id()));
    std::fs::write(&partial, library)?;
    std::fs::rename(&partial, &path)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_library_is_built_and_embedded() {
        // An ELF shared object, not the empty stand-in build.rs leaves without a compiler.
        assert_eq!(&super::LIBRARY[..4], b"\x7fELF");
    }

    #[test]
    fn installs_privately_and_replaces_an_old_library() {
        let base = std::env::temp_dir().join(format!("auto-web-ext-test-{}", std::process::id()));
        let dir = base.join("auto-web-extensions");
        super::install(&dir, b"old").unwrap();
        super::install(&dir, b"new").unwrap();
        assert_eq!(std::fs::read(dir.join(super::FILE)).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from(super::FILE)],
            "only the library is left"
        );
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
