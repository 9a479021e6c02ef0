#!/usr/bin/env python3
"""The desktop app under Xvfb, end to end, as a seller would meet it.

Starts the real `auto-desktop` (engine in-process, WebKitGTK window, tray) on a fresh data dir
in a private X server and D-Bus session, then checks: the window shows the dashboard (the UI
signed in by the in-process link fetched the dashboard's figures, and the window's pixels show
the UI's top bar and page), the tray icon is exported on D-Bus, a paid order raises a
notification, a second launch does not start a second engine (it hands over and exits), and
quitting from the tray leaves a consistent database and frees the data dir. The tray is
driven as a desktop panel drives it: its menu is read and clicked over D-Bus (dbusmenu).

Run by scripts/test-desktop.sh inside `dbus-run-session`; screenshots go to tests/desktop/artifacts.
"""

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESKTOP = os.environ.get("AUTO_DESKTOP_BIN", os.path.join(ROOT, "target/debug/auto-desktop"))
AUTO = os.environ.get("AUTO_BIN", os.path.join(ROOT, "target/debug/auto"))
ARTIFACTS = os.path.join(ROOT, "tests/desktop/artifacts")
INK = (0x1D, 0x23, 0x30)  # the UI's top bar (--ink in ui/assets/style.css)


def log(msg):
    print(f"[desktop] {msg}", flush=True)


def wait_for(what, check, timeout=60.0, every=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def read_log(data_dir):
    logs = os.path.join(data_dir, "logs")
    text = ""
    if os.path.isdir(logs):
        for name in sorted(os.listdir(logs)):
            with open(os.path.join(logs, name), encoding="utf-8", errors="replace") as f:
                text += f.read()
    return text


def api(base, method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


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


def window_geometry(env):
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^AUTO$"],
                         env=env, capture_output=True, text=True).stdout.split()
    if not out:
        return None
    geo = subprocess.run(["xdotool", "getwindowgeometry", "--shell", out[0]],
                         env=env, capture_output=True, text=True).stdout
    vals = dict(line.split("=", 1) for line in geo.split() if "=" in line)
    return {k: int(vals[k]) for k in ("X", "Y", "WIDTH", "HEIGHT")}


def main():
    display = os.environ.get("DISPLAY")
    assert display, "run under Xvfb (scripts/test-desktop.sh)"
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS"), "run inside dbus-run-session"
    data_dir = tempfile.mkdtemp(prefix="auto-desktop-")
    home = tempfile.mkdtemp(prefix="auto-desktop-home-")
    models = os.environ.get("AUTO_MODELS_DIR", os.path.expanduser("~/.cache/auto"))
    # A home of its own: "Start at login" writes its autostart entry there, not in the real one.
    env = dict(os.environ, AUTO_DATA_DIR=data_dir, AUTO_KEY_STORE="file", HOME=home,
               XDG_CONFIG_HOME=os.path.join(home, ".config"), AUTO_MODELS_DIR=models,
               AUTO_UI_DIR=os.path.join(ROOT, "ui/dist"), RUST_BACKTRACE="1")
    # A port of its own, so a seller's AUTO on 47821 (or another test) is not in the way.
    os.makedirs(data_dir, exist_ok=True)
    with open(os.path.join(data_dir, "config.toml"), "w") as f:
        f.write("[server]\nport = 0\n")

    log(f"starting {DESKTOP} on {data_dir}")
    first = subprocess.Popen([DESKTOP], env=env, stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    try:
        line = wait_for("the engine to be ready", lambda: first.stdout.readline(), timeout=120)
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, f"unexpected first line: {line!r}"
        base = f"http://127.0.0.1:{m.group(1)}"
        log(f"engine ready at {base}")

        # 1. The window shows the dashboard: the UI, signed in through the in-process link
        #    (cookie session), fetched the dashboard's figures ...
        wait_for("the window's UI to load the dashboard",
                 lambda: re.search(r"path=/api/v1/stats/dashboard status=200", read_log(data_dir)),
                 timeout=90)
        assert "/signin" in read_log(data_dir), "the window signed in through /signin"
        geo = wait_for("the AUTO window to be mapped", lambda: window_geometry(env), timeout=30)
        log(f"window geometry {geo}")
        time.sleep(2)  # let the page paint
        shot = screenshot(display, "dashboard.png")
        # ... and its pixels are the UI: a dark top bar across the window, the light page below.
        bar = pixels(shot, geo["X"] + 10, geo["Y"] + 8, geo["WIDTH"] - 20, 12)
        page = pixels(shot, geo["X"] + 10, geo["Y"] + 100, geo["WIDTH"] - 20, 600)
        bar_share = sum(near(p, INK) for p in bar) / len(bar)
        page_colours = len(set(page))
        page_share = sum(min(p) >= 225 for p in page) / len(page)
        log(f"top bar {bar_share:.0%} ink; page {page_share:.0%} light, {page_colours} colours")
        assert bar_share > 0.6, "the UI's top bar is not on screen"
        assert page_share > 0.5 and page_colours > 20, "the page area is blank or not the UI"

        # 2. The tray icon is exported (StatusNotifierItem over D-Bus) with its menu.
        assert "tray icon ready" in read_log(data_dir), "the app did not build its tray"
        tray = wait_for("the tray on D-Bus", find_tray, timeout=30)
        log(f"tray exported on D-Bus: {tray[0]} {tray[1]}")
        labels = [label for _, label, _ in tray_menu(tray)]
        log(f"tray menu: {labels}")
        for wanted in ("Open AUTO", "Pause auto-delivery", "Start at login", "Quit AUTO"):
            assert wanted in labels, f"{wanted!r} missing from the tray menu"

        # 3. A paid order: delivered by the engine, and the seller is notified.
        token = subprocess.run([AUTO, "--data-dir", data_dir, "token", "create", "--scope", "admin",
                                "--label", "desktop-test"], env=env, capture_output=True,
                               text=True, check=True).stdout.strip()
        products = api(base, "GET", "/api/v1/products", token)
        product = next(p for p in products["products"] if p["kind"] in ("license_key", "voucher"))
        order = api(base, "POST", "/api/v1/orders", token, {
            "shop": "desktop-test", "order_sn": "251125DESKTOP1", "status": "paid",
            "buyer": {"username": "budi_santoso"}, "currency": product["currency"],
            "lines": [{"sku": product["sku"], "quantity": 1, "unit_price": product["price"]}]})
        log(f"order {order['order']['order_sn']} is {order['order']['status']}")
        wait_for("a notification about the paid order",
                 lambda: "notification: New paid order" in read_log(data_dir), timeout=30)
        screenshot(display, "after-order.png")
        status = wait_for("the tray's status line to count the order", lambda: next(
            (label for _, label, _ in tray_menu(tray) if label.startswith("1 order today")), None),
            timeout=20)
        log(f"tray status: {status}")

        # The tray's menu works: pause and resume auto-delivery, start at login.
        click(tray, "Pause auto-delivery")
        wait_for("the pause to reach the engine",
                 lambda: api(base, "GET", "/api/v1/settings/delivery", token)["paused"], timeout=10)
        assert toggle_state(tray, "Pause auto-delivery") == 1
        click(tray, "Pause auto-delivery")
        wait_for("the resume to reach the engine",
                 lambda: not api(base, "GET", "/api/v1/settings/delivery", token)["paused"],
                 timeout=10)
        autostart = os.path.join(home, ".config", "autostart")
        click(tray, "Start at login")
        entry = wait_for("an autostart entry", lambda: os.path.isdir(autostart) and os.listdir(autostart),
                         timeout=10)
        log(f"start at login: {entry}")
        click(tray, "Start at login")
        wait_for("the autostart entry to go", lambda: not os.listdir(autostart), timeout=10)

        # 4. A second launch hands over to the first and exits; one engine keeps serving.
        second = subprocess.run([DESKTOP], env=env, capture_output=True, text=True, timeout=60)
        log(f"second launch exited with {second.returncode}")
        assert first.poll() is None, "the first app died when launched again"
        assert "AUTO is ready" not in second.stdout, "a second engine started"
        wait_for("the first app to be told of the second launch",
                 lambda: "AUTO was launched again" in read_log(data_dir), timeout=15)
        with urllib.request.urlopen(base + "/api/v1/health", timeout=5) as r:
            assert json.loads(r.read())["status"] == "ok"

        # 5. Quit from the tray: the server stops, the database is flushed and closed.
        click(tray, "Quit AUTO")
        code = first.wait(timeout=60)
        log(f"app exited with {code}")
        assert code == 0, f"exit code {code}"
        text = read_log(data_dir)
        assert "stopped cleanly" in text, "no clean stop in the log"
        assert not os.path.exists(os.path.join(data_dir, "server.addr")), "server.addr left behind"
        db = sqlite3.connect(os.path.join(data_dir, "auto.db"))
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        status = db.execute("SELECT status FROM orders WHERE order_sn = '251125DESKTOP1'").fetchone()
        assert status and status[0] in ("delivering", "delivered"), status
        db.close()
        wal = os.path.join(data_dir, "auto.db-wal")
        assert not os.path.exists(wal) or os.path.getsize(wal) == 0, "the WAL was not checkpointed"
        # The data dir is free again: a headless engine can take it.
        serve = subprocess.run([AUTO, "--data-dir", data_dir, "token", "list"], env=env,
                               capture_output=True, text=True, timeout=60)
        assert serve.returncode == 0, serve.stderr
        log("all desktop checks passed")
    finally:
        if first.poll() is None:
            first.kill()


def bus_names():
    out = subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
         "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"],
        capture_output=True, text=True, check=True).stdout
    return re.findall(r'string "(:[0-9.]+)"', out)


def find_tray():
    """The bus connection and menu path of AUTO's tray icon (an appindicator exports a
    StatusNotifierItem and its com.canonical.dbusmenu menu), or None."""
    for name in bus_names():
        out = subprocess.run(["gdbus", "introspect", "--session", "--dest", name,
                              "--object-path", "/org/ayatana/NotificationItem", "--recurse"],
                             capture_output=True, text=True, timeout=10).stdout
        if "org.kde.StatusNotifierItem" not in out:
            continue
        m = re.search(r"node (/org/ayatana/NotificationItem/\S*auto_tray/Menu)", out)
        if m:
            return (name, m.group(1))
    return None


def tray_menu(tray):
    """[(id, label, toggle_state)] of the tray's menu, read as a desktop's panel reads it."""
    out = subprocess.run(["gdbus", "call", "--session", "--dest", tray[0], "--object-path", tray[1],
                          "--method", "com.canonical.dbusmenu.GetLayout", "--", "0", "-1", "@as []"],
                         capture_output=True, text=True, timeout=10, check=True).stdout
    items = []
    for m in re.finditer(r"<\((\d+), \{([^}]*)\}", out):
        props = m.group(2)
        label = re.search(r"'label': <'([^']*)'>", props)
        toggle = re.search(r"'toggle-state': <(-?\d+)>", props)
        if label:
            items.append((int(m.group(1)), label.group(1), int(toggle.group(1)) if toggle else None))
    return items


def click(tray, label):
    """Clicks a tray menu item the way a desktop panel does (dbusmenu Event "clicked")."""
    item = next((i for i, l, _ in tray_menu(tray) if l == label), None)
    assert item is not None, f"no {label!r} in the tray menu"
    subprocess.run(["gdbus", "call", "--session", "--dest", tray[0], "--object-path", tray[1],
                    "--method", "com.canonical.dbusmenu.Event", "--", str(item), "clicked",
                    "<0>", "0"], capture_output=True, text=True, timeout=10, check=True)


def toggle_state(tray, label):
    return next((t for _, l, t in tray_menu(tray) if l == label), None)


if __name__ == "__main__":
    main()
