//! The window's processes without GL: the window process and WebKit's web process get an EGL
//! display with nothing behind it (`web-extension/gl_free.c` says why WebKit sets one up in
//! both although the window never draws with GL, and how), so neither loads the system's GL
//! driver (with Mesa, a library linking LLVM: about 18 MB in each; README, "Memory: AUTO in
//! the tray"). GTK is kept from setting GL up in the window process too, as in the app.
//! A seller who wants WebKit to set up the system's GL as it does by itself sets
//! `AUTO_WINDOW_SYSTEM_GL=1`.

/// The seller's way back to the system's GL in the window's processes.
pub const SYSTEM_GL: &str = "AUTO_WINDOW_SYSTEM_GL";
/// Tells the web extension (`web-extension/trim.c`) to do the same in the web process, which
/// inherits this process's environment.
const TELL_WEB_PROCESS: &str = "AUTO_GL_FREE";

/// Whether the window's processes go without GL: unless the seller asked for the system's.
pub fn wanted() -> bool {
    std::env::var_os(SYSTEM_GL).is_none_or(|v| v.is_empty() || v == "0")
}

#[cfg(gl_free)]
extern "C" {
    fn auto_gl_free_install();
}

/// Makes this window process, and the web process it will start, go without GL. Call first
/// thing, while the process has one thread (it sets environment variables) and before GTK or
/// WebKit start.
pub fn go_without_gl() {
    if !wanted() {
        return;
    }
    #[cfg(gl_free)]
    {
        // SAFETY: swaps libepoxy's EGL entry points before anything in this process called
        // them; the process has one thread.
        unsafe { auto_gl_free_install() };
        std::env::set_var(TELL_WEB_PROCESS, "1");
        if std::env::var_os("GDK_GL").is_none() {
            std::env::set_var("GDK_GL", "disable");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn the_display_without_gl_is_built_in() {
        // Without a C compiler or libepoxy's headers build.rs leaves it out, and the window's
        // processes would silently be about 36 MB heavier.
        let built = std::hint::black_box(cfg!(gl_free));
        assert!(
            built,
            "web-extension/gl_free.c was not built (see build.rs warnings)"
        );
    }

    /// What WebKit asks of EGL when it opens a display, through libepoxy as WebKit calls it.
    #[test]
    #[cfg(gl_free)]
    fn webkit_gets_a_display_that_opens_and_closes_and_offers_no_gl() {
        use std::ffi::{c_char, c_int, c_void, CStr};
        type Display = *mut c_void;
        extern "C" {
            static epoxy_eglQueryString: unsafe extern "C" fn(Display, c_int) -> *const c_char;
            static epoxy_eglGetPlatformDisplay:
                unsafe extern "C" fn(u32, *mut c_void, *const isize) -> Display;
            static epoxy_eglInitialize:
                unsafe extern "C" fn(Display, *mut c_int, *mut c_int) -> u32;
            static epoxy_eglMakeCurrent:
                unsafe extern "C" fn(Display, *mut c_void, *mut c_void, *mut c_void) -> u32;
            static epoxy_eglTerminate: unsafe extern "C" fn(Display) -> u32;
        }
        const EXTENSIONS: c_int = 0x3055;
        const PLATFORM_SURFACELESS_MESA: u32 = 0x31DD;
        const PLATFORM_X11: u32 = 0x31D5;
        // SAFETY: the entry points are read after the install, as WebKit reads them; the
        // strings they return are static.
        unsafe {
            super::auto_gl_free_install();
            let text = |p: *const c_char| CStr::from_ptr(p).to_str().unwrap().to_owned();
            let client = text(epoxy_eglQueryString(std::ptr::null_mut(), EXTENSIONS));
            for wanted in [
                "EGL_KHR_platform_base",
                "EGL_EXT_platform_base",
                "EGL_MESA_platform_surfaceless",
            ] {
                assert!(
                    client.split(' ').any(|e| e == wanted),
                    "{wanted} in {client:?}"
                );
            }
            // The web process's surfaceless display and the window process's X11 one.
            for platform in [PLATFORM_SURFACELESS_MESA, PLATFORM_X11] {
                let display =
                    epoxy_eglGetPlatformDisplay(platform, std::ptr::null_mut(), std::ptr::null());
                assert!(!display.is_null());
                let (mut major, mut minor) = (0, 0);
                assert_eq!(epoxy_eglInitialize(display, &mut major, &mut minor), 1);
                assert_eq!((major, minor), (1, 5));
                assert_eq!(
                    text(epoxy_eglQueryString(display, EXTENSIONS)),
                    "",
                    "no extensions"
                );
                let none = std::ptr::null_mut();
                assert_eq!(
                    epoxy_eglMakeCurrent(display, none, none, none),
                    1,
                    "releasing"
                );
                let context = 8 as *mut c_void;
                assert_eq!(
                    epoxy_eglMakeCurrent(display, none, none, context),
                    0,
                    "no contexts"
                );
                assert_eq!(epoxy_eglTerminate(display), 1);
            }
        }
    }
}
