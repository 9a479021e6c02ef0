//! Giving back what start-up touched once. The app links GTK and WebKit (Tauri does), and
//! loading them reads and relocates far more of them than a tray icon ever runs again: the
//! speech synthesis voices WebKit links (flite), WebKit's and JavaScriptCore's code, and the
//! start-up half of our own program. Those pages are clean copies of files, so once the app is
//! up they are handed back to the kernel (as it would take them under memory pressure) and read
//! again from the file only if they are ever needed. Freed malloc memory goes back too.

use std::time::Duration;

/// How long after start the start-up pages are let go: the engine is open, the demo loaded,
/// the tray built and its status shown once.
const AFTER_START: Duration = Duration::from_secs(15);

/// Lets the start-up pages go once, a little after start, on a thread of its own.
pub fn after_start() {
    let _ = std::thread::Builder::new().name("trim".into()).spawn(|| {
        std::thread::sleep(AFTER_START);
        release();
    });
}

/// Hands back freed malloc memory and the clean, read-only file pages of this process.
pub fn release() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only returns free heap pages to the OS.
        unsafe {
            malloc_trim(0);
        }
    }
    #[cfg(target_os = "linux")]
    {
        const MADV_PAGEOUT: i32 = 21;
        extern "C" {
            fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
        }
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
            return;
        };
        let mut released = 0usize;
        for (start, end) in read_only_files(&maps) {
            // SAFETY: a read-only mapping of a file, as listed by the kernel; PAGEOUT only moves
            // its pages out of memory (pages other processes map too are left alone) and never
            // changes what the program reads there.
            if unsafe { madvise(start as *mut std::ffi::c_void, end - start, MADV_PAGEOUT) } == 0 {
                released += end - start;
            }
        }
        tracing::info!(
            mapped_mib = released / (1024 * 1024),
            "start-up pages handed back"
        );
    }
}

/// The address ranges of the read-only mappings of files in a /proc/PID/maps listing.
fn read_only_files(maps: &str) -> Vec<(usize, usize)> {
    maps.lines()
        .filter_map(|line| {
            // start-end perms offset device inode path
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [range, perms, _, _, _, path, ..] = fields[..] else {
                return None;
            };
            // Shared mappings (X's shared memory) are not copies of files.
            if perms.contains('w') || perms.ends_with('s') || !path.starts_with('/') {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            Some((
                usize::from_str_radix(start, 16).ok()?,
                usize::from_str_radix(end, 16).ok()?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_read_only_file_mappings_are_let_go() {
        let maps = "\
5600-5700 r--p 00000000 08:01 12 /usr/bin/auto-desktop
5700-5900 r-xp 00001000 08:01 12 /usr/bin/auto-desktop
5900-5a00 rw-p 00003000 08:01 12 /usr/bin/auto-desktop
6000-7000 rw-p 00000000 00:00 0 [heap]
7000-7100 r--p 00000000 00:00 0
7100-7200 r--s 00000000 00:05 9 /SYSV00000000 (deleted)
7200-7300 r--p 00000000 00:00 0 [vvar]
";
        assert_eq!(
            super::read_only_files(maps),
            vec![(0x5600, 0x5700), (0x5700, 0x5900)]
        );
    }
}
