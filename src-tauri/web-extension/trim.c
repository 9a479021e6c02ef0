/* A WebKit web-process extension (loaded by WebKit from the directory the window process
 * names, web_extension.rs): the web process hands back what loading the page touched once, as
 * src-tauri/src/trim.rs does for the app. Its clean file pages (WebKit's and JavaScriptCore's
 * code, the speech voices, Mesa and LLVM) go back to the kernel, as memory pressure would take
 * them, and are read again from the files if ever needed; freed malloc memory goes back too.
 * Measured on the dashboard (README, "Memory: AUTO in the tray"): the web process 107 -> 68 MB.
 *
 * Once a few seconds after each document loaded, and again whenever the page has been quiet
 * for a while after doing some work (a live update, the seller using it), so that what using
 * it touched goes back too. Pages the window process maps as well are left (the kernel pages
 * out only what this process alone maps).
 *
 * It also gives the web process an EGL display without GL (gl_free.c) when the window process
 * asks for it. */
#include "gl_free.h"

#include <webkit2/webkit-web-extension.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/* After a document loaded: its scripts have run and its first figures have come. */
#define SETTLE_SECONDS 5
/* How often the page is looked at to see whether it is quiet. */
#define CHECK_SECONDS 30
/* Quiet: less CPU than this in the last CHECK_SECONDS (the live connection's keep-alives). */
#define QUIET_CPU_MS 50
/* Worth releasing again: at least this much CPU since the last release. */
#define WORKED_CPU_MS 200

static long cpu_at_release = -1;
static long cpu_at_check;

static long cpu_ms(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage))
        return 0;
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000L
        + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000L;
}

/* Read-only, private mappings of files: clean copies the kernel can read again. Shared
 * mappings (X's shared memory, memfds) are not copies of files. */
static size_t release_file_pages(void)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    if (!maps)
        return 0;
    size_t released = 0;
    char line[4096];
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[5];
        int path_at = 0;
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3 || !path_at)
            continue;
        if (strchr(perms, 'w') || perms[3] == 's' || line[path_at] != '/')
            continue;
        if (madvise((void *) start, end - start, MADV_PAGEOUT) == 0)
            released += end - start;
    }
    fclose(maps);
    return released;
}

static void release(const char *why)
{
    malloc_trim(0);
    size_t released = release_file_pages();
    cpu_at_release = cpu_at_check = cpu_ms();
    g_debug("web process pages handed back (%s): %zu MiB mapped", why, released >> 20);
}

static gboolean after_load(gpointer unused)
{
    (void) unused;
    release("page loaded");
    return G_SOURCE_REMOVE;
}

static gboolean check_quiet(gpointer unused)
{
    (void) unused;
    long now = cpu_ms();
    gboolean quiet = now - cpu_at_check < QUIET_CPU_MS;
    cpu_at_check = now;
    if (quiet && cpu_at_release >= 0 && now - cpu_at_release >= WORKED_CPU_MS)
        release("quiet after work");
    return G_SOURCE_CONTINUE;
}

static void document_loaded(WebKitWebPage *page, gpointer unused)
{
    (void) page;
    (void) unused;
    g_timeout_add_seconds(SETTLE_SECONDS, after_load, NULL);
}

static void page_created(WebKitWebExtension *extension, WebKitWebPage *page, gpointer unused)
{
    (void) extension;
    (void) unused;
    g_signal_connect(page, "document-loaded", G_CALLBACK(document_loaded), NULL);
}

G_MODULE_EXPORT void webkit_web_extension_initialize(WebKitWebExtension *extension)
{
    /* The window process went without GL (src/window_gl.rs) and says so to the web process;
     * this runs before the web process's first page, hence before its first EGL call. */
    const char *gl_free = getenv("AUTO_GL_FREE");
    if (gl_free && !strcmp(gl_free, "1"))
        auto_gl_free_install();
    g_signal_connect(extension, "page-created", G_CALLBACK(page_created), NULL);
    cpu_at_check = cpu_ms();
    g_timeout_add_seconds(CHECK_SECONDS, check_quiet, NULL);
}
