#!/usr/bin/env python3
"""The desktop app under Xvfb, end to end, as a seller would meet it.

Starts the real `auto-desktop` (engine in-process, WebKitGTK window, tray) on a fresh data dir
in a private X server and D-Bus session, then checks: the window shows the dashboard (the UI
signed in by the in-process link fetched the dashboard's figures, and the window's pixels show
the UI's top bar and page), the tray icon is exported on D-Bus, "Start at login" writes an
autostart entry that starts AUTO hidden, closing the window ends the window and WebKit's
processes while the engine goes on (the tray counts a paid order, which still raises a
notification), "Open AUTO" brings the window back signed in on the dashboard, a second launch
does not start a second engine, quitting from the tray leaves a consistent database and frees
the data dir, and `--hidden` starts in the tray with no window. The tray is driven as a
desktop panel drives it (dbusmenu over D-Bus); the window is closed as a window manager
closes it (WM_DELETE_WINDOW).

Run by scripts/test-desktop.sh inside `dbus-run-session`; screenshots go to tests/desktop/artifacts.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procmem  # noqa: E402
import tray  # noqa: E402
import xwin  # noqa: E402
from app import AUTO, ROOT, App, wait_for  # noqa: E402

ARTIFACTS = os.path.join(ROOT, "tests/desktop/artifacts")
INK = (0x1D, 0x23, 0x30)  # the UI's top bar (--ink in ui/assets/style.css)
DASHBOARD = r"path=/api/v1/stats/dashboard status=200"
SIGNIN = r"path=/signin "


def log(msg):
    print(f"[desktop] {msg}", flush=True)


def screenshot(display, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    subprocess.run(["import", "-display", display, "-window", "root", path], check=True)
    return path


def pixels(path, x, y, w, h):
    raw = subprocess.run(
        ["convert", path, "-crop", f"{w}x{h}+{x}+{y}", "+repage", "-depth", "8", "rgb:-"],
        check=True, capture_output=True).stdout
    return [tuple(raw[i:i + 3]) for i in range(0, len(raw) - 2, 3)]


def near(a, b, tol=12):
    return all(abs(p - q) <= tol for p, q in zip(a, b))


def webkit_processes(pid):
    return [(p, c) for p, c in procmem.tree(pid) if c.startswith("WebKit")]


def check_dashboard_on_screen(app, display, name):
    """The window is mapped and its pixels are the UI: a dark top bar across the window, the
    light page below."""
    window = wait_for("the AUTO window to be mapped", lambda: xwin.visible_windows(app.env),
                      timeout=30)[0]
    geo = xwin.geometry(app.env, window)
    log(f"window geometry {geo}")
    time.sleep(2)  # let the page paint
    shot = screenshot(display, name)
    bar = pixels(shot, geo["X"] + 10, geo["Y"] + 8, geo["WIDTH"] - 20, 12)
    page = pixels(shot, geo["X"] + 10, geo["Y"] + 100, geo["WIDTH"] - 20, 600)
    bar_share = sum(near(p, INK) for p in bar) / len(bar)
    page_colours = len(set(page))
    page_share = sum(min(p) >= 225 for p in page) / len(page)
    log(f"top bar {bar_share:.0%} ink; page {page_share:.0%} light, {page_colours} colours")
    assert bar_share > 0.6, "the UI's top bar is not on screen"
    assert page_share > 0.5 and page_colours > 20, "the page area is blank or not the UI"


# The top bar's tabs in the 1200-pixel-wide window (x of each label's middle, y of the bar)
# and a request each page makes when it opens.
TABS = [("Orders", 226, r"path=/api/v1/orders status=200"),
        ("Products", 308, r"path=/api/v1/products status=200"),
        ("Stock", 386, r"path=/api/v1/products status=200"),
        ("FAQ", 446, r"path=/api/v1/faq status=200"),
        ("Conversations", 538, r"path=/api/v1/conversations status=200"),
        ("Settings", 647, r"path=/api/v1/settings/delivery status=200"),
        ("Dashboard", 136, DASHBOARD)]
TAB_Y = 22


def walk_every_page(app, pid, display):
    """Opens every page from the top bar as the seller does, each fetching its data, and the web
    process that painted the dashboard is the one that painted them all (none crashed)."""
    web_before = [p for p, c in webkit_processes(pid) if c.startswith("WebKitWebProces")]
    window = xwin.visible_windows(app.env)[0]
    for name, x, request in TABS:
        before = app.count(request)
        subprocess.run(["xdotool", "mousemove", "--window", str(window), str(x), str(TAB_Y),
                        "click", "1"], env=app.env, check=True)
        wait_for(f"the {name} page to fetch its data", lambda: app.count(request) > before,
                 timeout=20)
    web_after = [p for p, c in webkit_processes(pid) if c.startswith("WebKitWebProces")]
    assert web_after == web_before, f"the web process changed: {web_before} -> {web_after}"
    check_dashboard_on_screen(app, display, "dashboard-after-walk.png")
    log(f"walked {len(TABS)} pages in the window")


def main():
    display = os.environ.get("DISPLAY")
    assert display, "run under Xvfb (scripts/test-desktop.sh)"
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS"), "run inside dbus-run-session"
    app = App()
    log(f"starting the app on {app.data_dir}")
    try:
        base = app.start()
        log(f"engine ready at {base}")
        first_run(app, display)
        hidden_start(app)
        log("all desktop checks passed")
    finally:
        app.stop()


def first_run(app, display):
    pid = app.proc.pid
    # 1. The window shows the dashboard: the UI, signed in through the in-process link
    #    (cookie session), fetched the dashboard's figures, and its pixels are the UI.
    wait_for("the window's UI to load the dashboard", lambda: app.count(DASHBOARD), timeout=90)
    assert app.count(SIGNIN) == 1, "the window signed in through /signin"
    check_dashboard_on_screen(app, display, "dashboard.png")
    walk_every_page(app, pid, display)

    # 2. The tray icon is exported (StatusNotifierItem over D-Bus) with its menu.
    assert "tray icon ready" in app.log(), "the app did not build its tray"
    t = wait_for("the tray on D-Bus", tray.find, timeout=30)
    log(f"tray exported on D-Bus: {t[0]} {t[1]}")
    labels = tray.labels(t)
    log(f"tray menu: {labels}")
    for wanted in ("Open AUTO", "Pause auto-delivery", "Start at login", "Quit AUTO"):
        assert wanted in labels, f"{wanted!r} missing from the tray menu"

    # 3. The tray's menu works: pause and resume auto-delivery; start at login registers AUTO
    #    to start hidden, in the tray.
    tray.click(t, "Pause auto-delivery")
    wait_for("the pause to reach the engine",
             lambda: app.api("GET", "/api/v1/settings/delivery")["paused"], timeout=10)
    assert tray.toggle_state(t, "Pause auto-delivery") == 1
    tray.click(t, "Pause auto-delivery")
    wait_for("the resume to reach the engine",
             lambda: not app.api("GET", "/api/v1/settings/delivery")["paused"], timeout=10)
    autostart = os.path.join(app.home, ".config", "autostart")
    tray.click(t, "Start at login")
    entries = wait_for("an autostart entry",
                       lambda: os.path.isdir(autostart) and os.listdir(autostart), timeout=10)
    with open(os.path.join(autostart, entries[0]), encoding="utf-8") as f:
        entry = f.read()
    exec_line = next((line for line in entry.splitlines() if line.startswith("Exec=")), "")
    log(f"start at login: {entries[0]}: {exec_line}")
    assert "auto-desktop" in exec_line and exec_line.split()[-1] == "--hidden", entry
    tray.click(t, "Start at login")
    wait_for("the autostart entry to go", lambda: not os.listdir(autostart), timeout=10)

    # 4. Closing the window (as a window manager does) ends the window's process and WebKit's:
    #    nothing of the UI stays in memory, and the engine goes on.
    assert webkit_processes(pid), "no WebKit process while the window is open"
    # The web process loaded AUTO's extension that hands its start-up pages back
    # (src-tauri/src/web_extension.rs): without it the window takes about 40 MB more.
    web = [p for p, c in webkit_processes(pid) if c.startswith("WebKitWebProces")]
    assert any("libauto-web-trim.so" in open(f"/proc/{p}/maps").read() for p in web), \
        "the web process did not load the extension"
    # No process of the app loads the system's GL driver (with Mesa, one library linking
    # LLVM, about 18 MB a process): the window's processes have an EGL display without GL
    # (src-tauri/src/window_gl.rs) and the pixels above were painted without it.
    for p, comm in procmem.tree(pid):
        maps = open(f"/proc/{p}/maps").read()
        loaded = {line.split()[-1] for line in maps.splitlines()
                  if "/dri/" in line or "libLLVM" in line or "libgallium" in line}
        assert not loaded, f"{comm} ({p}) loaded a GL driver: {sorted(loaded)}"
    for window in xwin.visible_windows(app.env):
        xwin.close(app.env["DISPLAY"], window)
    wait_for("the window to close", lambda: not xwin.visible_windows(app.env), timeout=10)
    wait_for("WebKit's processes to end", lambda: not webkit_processes(pid), timeout=15)
    wait_for("the app to see the window go",
             lambda: "window closed; its memory is freed" in app.log(), timeout=10)
    assert app.proc.poll() is None, "closing the window ended the app"
    log(f"window closed; the app's processes: {[c for _, c in procmem.tree(pid)]}")

    # 5. A paid order with the window closed: delivered by the engine, counted in the tray,
    #    and the seller is notified.
    products = app.api("GET", "/api/v1/products")
    product = next(p for p in products["products"]
                   if p["kind"] in ("license_key", "voucher") and p["stock"]["available"] > 0)
    # The sale takes the product to its low-stock threshold: the seller hears of that too.
    left = product["stock"]["available"] - 1
    app.api("PATCH", f"/api/v1/products/{product['id']}", {"low_stock_threshold": left})
    order = app.api("POST", "/api/v1/orders", {
        "shop": "desktop-test", "order_sn": "251125DESKTOP1", "status": "paid",
        "buyer": {"username": "budi_santoso"}, "currency": product["currency"],
        "lines": [{"sku": product["sku"], "quantity": 1, "unit_price": product["price"]}]})
    log(f"order {order['order']['order_sn']} is {order['order']['status']}")
    wait_for("a notification about the paid order",
             lambda: "notification: New paid order" in app.log(), timeout=30)
    told = "none" if left == 0 else left
    wait_for("a notification that the product runs low",
             lambda: f"notification: Low stock: {product['name']} has {told} left" in app.log(),
             timeout=30)
    status = wait_for("the tray's status line to count the order", lambda: next(
        (label for label in tray.labels(t) if label.startswith("1 order today")), None),
        timeout=20)
    log(f"tray status: {status}")

    # 6. "Open AUTO" builds the window again, signed in (a new one-time link) on the dashboard.
    signins, loads = app.count(SIGNIN), app.count(DASHBOARD)
    started = time.time()
    tray.click(t, "Open AUTO")
    wait_for("the dashboard again", lambda: app.count(DASHBOARD) > loads, timeout=30, every=0.1)
    log(f"window back on the dashboard in {time.time() - started:.1f} s")
    assert app.count(SIGNIN) == signins + 1, "the new window did not sign in"
    check_dashboard_on_screen(app, display, "dashboard-again.png")

    # 7. A second launch hands over to the first and exits; one engine keeps serving, one window.
    second = app.run_again()
    log(f"second launch exited with {second.returncode}")
    assert app.proc.poll() is None, "the first app died when launched again"
    assert "AUTO is ready" not in second.stdout, "a second engine started"
    wait_for("the first app to be told of the second launch",
             lambda: "AUTO was launched again" in app.log(), timeout=15)
    time.sleep(1)
    assert len(xwin.visible_windows(app.env)) == 1, "a second window opened"
    with urllib.request.urlopen(app.base + "/api/v1/health", timeout=5) as r:
        assert json.loads(r.read())["status"] == "ok"

    # 8. Quit from the tray: the window goes, the server stops, the database is flushed.
    quit_from_tray(app, t)
    db = sqlite3.connect(os.path.join(app.data_dir, "auto.db"))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    row = db.execute("SELECT status FROM orders WHERE order_sn = '251125DESKTOP1'").fetchone()
    assert row and row[0] in ("delivering", "delivered"), row
    db.close()
    wal = os.path.join(app.data_dir, "auto.db-wal")
    assert not os.path.exists(wal) or os.path.getsize(wal) == 0, "the WAL was not checkpointed"
    # The data dir is free again: the command line can take it.
    cli = subprocess.run([AUTO, "--data-dir", app.data_dir, "token", "list"], env=app.env,
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr


def quit_from_tray(app, t):
    stops = app.count("stopped cleanly")
    tray.click(t, "Quit AUTO")
    code = app.proc.wait(timeout=60)
    log(f"app exited with {code}")
    assert code == 0, f"exit code {code}"
    assert app.count("stopped cleanly") == stops + 1, "no clean stop in the log"
    assert not os.path.exists(os.path.join(app.data_dir, "server.addr")), "server.addr left behind"
    wait_for("the window to go with the app", lambda: not xwin.visible_windows(app.env),
             timeout=10)


def hidden_start(app):
    """`auto-desktop --hidden` (how "Start at login" starts it): the tray, no window."""
    app.start("--hidden")
    pid = app.proc.pid
    t = wait_for("the tray on D-Bus", tray.find, timeout=30)
    assert "started hidden" in app.log()
    time.sleep(2)  # a window would have been mapped by now
    assert not xwin.visible_windows(app.env), "a window opened at a hidden start"
    assert not webkit_processes(pid), "WebKit started at a hidden start"
    log(f"hidden start: tray {t[0]}, no window; processes {[c for _, c in procmem.tree(pid)]}")
    quit_from_tray(app, t)


if __name__ == "__main__":
    main()
