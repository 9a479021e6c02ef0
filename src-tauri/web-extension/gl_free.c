/* An EGL display with no GL behind it, for the processes of AUTO's window (the window process
 * itself, and WebKit's web process through the web extension), which never draw with GL:
 * compositing is off (so the web process paints into shared memory on the CPU), WebGL, media
 * and the DMA-BUF renderer are off (window_process.rs, window_env.rs).
 *
 * WebKitGTK sets an EGL display up in both anyway, and with Mesa that loads its one driver
 * library, which links LLVM: about 18 MB in each process (README, "Memory: AUTO in the tray").
 *   - The web process: WebPage's constructor calls DrawingArea::updatePreferences (through
 *     updateAfterDrawingAreaCreation, Source/WebKit/WebProcess/WebPage/WebPage.cpp:898 in
 *     2.50.6) before it applies the page's preferences to its settings (:905), so the
 *     settings still hold WebCore's default, compositing on, and
 *     WebProcess::initializePlatformDisplayIfNeeded() opens a surfaceless display (and
 *     aborts when it cannot) although the page never composites.
 *   - The window process: launching a web process asks the display for its DRM device
 *     (UIProcess/glib/DRMMainDevice.cpp), only to hand it to a renderer that is turned off.
 *
 * WebKit calls EGL through libepoxy, whose entry points are public function pointers, so
 * installing this in a process makes the calls that open, query and close a display answer
 * with this display instead: it has no extensions, no configs and no contexts. Anything else
 * asked of it reaches the system's EGL, which does not know it and fails with EGL_BAD_DISPLAY,
 * as on a machine without GL; WebKit then paints on the CPU, which it does here anyway.
 * Installed before WebKit's first EGL call: by the web extension when the web process loads
 * it (before any page exists), by window_process.rs before the window is built. */
#include "gl_free.h"

#include <epoxy/egl.h>
#include <stddef.h>

static int the_display;
#define GL_FREE_DISPLAY ((EGLDisplay) &the_display)

static PFNEGLQUERYSTRINGPROC system_query_string;
static PFNEGLINITIALIZEPROC system_initialize;
static PFNEGLTERMINATEPROC system_terminate;
static PFNEGLMAKECURRENTPROC system_make_current;

static const char *query_string(EGLDisplay display, EGLint name)
{
    if (display == EGL_NO_DISPLAY && name == EGL_EXTENSIONS)
        /* What WebKit looks for before it asks for a surfaceless or an X11 display. */
        return "EGL_EXT_platform_base EGL_KHR_platform_base EGL_MESA_platform_surfaceless";
    if (display != GL_FREE_DISPLAY)
        return system_query_string(display, name);
    switch (name) {
    case EGL_VERSION:
        return "1.5 AUTO (no GL)";
    case EGL_VENDOR:
        return "AUTO (no GL)";
    default:
        return "";
    }
}

static EGLDisplay get_platform_display(EGLenum platform, void *native, const EGLAttrib *attributes)
{
    (void) platform;
    (void) native;
    (void) attributes;
    return GL_FREE_DISPLAY;
}

static EGLDisplay get_platform_display_ext(EGLenum platform, void *native, const EGLint *attributes)
{
    (void) platform;
    (void) native;
    (void) attributes;
    return GL_FREE_DISPLAY;
}

static EGLDisplay get_display(EGLNativeDisplayType native)
{
    (void) native;
    return GL_FREE_DISPLAY;
}

static EGLBoolean initialize(EGLDisplay display, EGLint *major, EGLint *minor)
{
    if (display != GL_FREE_DISPLAY)
        return system_initialize(display, major, minor);
    if (major)
        *major = 1;
    if (minor)
        *minor = 5;
    return EGL_TRUE;
}

static EGLBoolean terminate(EGLDisplay display)
{
    return display == GL_FREE_DISPLAY ? EGL_TRUE : system_terminate(display);
}

static EGLBoolean make_current(EGLDisplay display, EGLSurface draw, EGLSurface read, EGLContext context)
{
    if (display != GL_FREE_DISPLAY)
        return system_make_current(display, draw, read, context);
    /* Releasing the current context (WebKit does before it terminates a display) is all
     * there is to do: no context of this display exists. */
    return context == EGL_NO_CONTEXT ? EGL_TRUE : EGL_FALSE;
}

void auto_gl_free_install(void)
{
    if (system_query_string)
        return;
    system_query_string = epoxy_eglQueryString;
    system_initialize = epoxy_eglInitialize;
    system_terminate = epoxy_eglTerminate;
    system_make_current = epoxy_eglMakeCurrent;
    epoxy_eglQueryString = query_string;
    epoxy_eglGetPlatformDisplay = get_platform_display;
    epoxy_eglGetPlatformDisplayEXT = get_platform_display_ext;
    epoxy_eglGetDisplay = get_display;
    epoxy_eglInitialize = initialize;
    epoxy_eglTerminate = terminate;
    epoxy_eglMakeCurrent = make_current;
}
