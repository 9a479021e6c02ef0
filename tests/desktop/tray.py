"""AUTO's tray icon driven as a desktop panel drives it: an appindicator exports a
StatusNotifierItem and its menu (com.canonical.dbusmenu) on the session bus; the panel reads
the menu's layout and sends "clicked" events."""

import re
import subprocess
import time


def bus_names():
    out = subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
         "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"],
        capture_output=True, text=True, check=True).stdout
    return re.findall(r'string "(:[0-9.]+)"', out)


def find():
    """The bus connection and menu path of AUTO's tray icon, or None."""
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


def menu(tray):
    """[(id, label, toggle_state)] of the tray's menu."""
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


def labels(tray):
    return [label for _, label, _ in menu(tray)]


def click(tray, label):
    """Clicks the menu item `label` (dbusmenu Event "clicked")."""
    errors = []
    # Right after start the menu can be exported again as the indicator settles; a panel
    # would just be shown the new one.
    for attempt in range(5):
        try:
            items = menu(tray)
        except subprocess.CalledProcessError:
            # The app acted on a click whose answer it did not send before it ended ("Quit
            # AUTO" can end it that fast): it is gone from the bus. The caller checks the effect.
            if attempt and not owned(tray[0]):
                print(f"[tray] {label!r}: the app left the bus after: {errors}", flush=True)
                return
            raise
        item = next((i for i, l, _ in items if l == label), None)
        assert item is not None, f"no {label!r} in the tray menu"
        done = subprocess.run(["gdbus", "call", "--session", "--dest", tray[0], "--object-path",
                               tray[1], "--method", "com.canonical.dbusmenu.Event", "--",
                               str(item), "clicked", "<0>", "0"],
                              capture_output=True, text=True, timeout=10)
        if done.returncode == 0:
            if errors:
                print(f"[tray] clicking {label!r} worked after: {errors}", flush=True)
            return
        errors.append(done.stderr.strip())
        time.sleep(0.5)
    raise AssertionError(f"clicking {label!r} failed: {errors}")


def owned(name):
    """Whether the bus name `name` still has an owner."""
    out = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                          "--object-path", "/org/freedesktop/DBus", "--method",
                          "org.freedesktop.DBus.NameHasOwner", name],
                         capture_output=True, text=True, timeout=10)
    return out.returncode == 0 and "true" in out.stdout


def toggle_state(tray, label):
    return next((t for _, l, t in menu(tray) if l == label), None)
