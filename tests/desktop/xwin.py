"""AUTO's window on the X server, found and closed the way a desktop does it.

A window manager closes a window by sending it a WM_DELETE_WINDOW client message (what the
title bar's close button does); the app decides what closing means. Xvfb runs no window
manager, so this sends that message itself through libX11."""

import ctypes
import ctypes.util
import subprocess


def visible_windows(env, name="^AUTO$"):
    """X ids of the mapped windows titled `name`."""
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name],
                         env=env, capture_output=True, text=True).stdout.split()
    return [int(w) for w in out]


def geometry(env, window):
    geo = subprocess.run(["xdotool", "getwindowgeometry", "--shell", str(window)],
                         env=env, capture_output=True, text=True).stdout
    vals = dict(line.split("=", 1) for line in geo.split() if "=" in line)
    return {k: int(vals[k]) for k in ("X", "Y", "WIDTH", "HEIGHT")}


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong),
                ("send_event", ctypes.c_int), ("display", ctypes.c_void_p),
                ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class _Event(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


def close(display, window):
    """Asks `window` to close, as a window manager's close button does."""
    x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                             ctypes.POINTER(_Event)]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x.XOpenDisplay(display.encode())
    assert dpy, f"cannot open display {display}"
    try:
        ev = _Event()
        ev.xclient.type = 33  # ClientMessage
        ev.xclient.window = window
        ev.xclient.message_type = x.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
        ev.xclient.format = 32
        ev.xclient.data[0] = x.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
        ev.xclient.data[1] = 0  # CurrentTime
        assert x.XSendEvent(dpy, window, 0, 0, ctypes.byref(ev)), "XSendEvent failed"
        x.XFlush(dpy)
    finally:
        x.XCloseDisplay(dpy)
