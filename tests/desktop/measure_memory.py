#!/usr/bin/env python3
"""How much memory the desktop app takes, measured: the PSS summed over the app's own
processes (procmem.py says why PSS), as a seller's day goes: the window open on the dashboard,
the window closed (AUTO in the tray), the embedding model loaded by a question, and the model
let go again; then the window opened again from the tray (how long until the dashboard is
back), and for comparison the headless `auto serve` on the same kind of data.

Each figure is the median of a few samples a second apart after the app settled.
Run by scripts/measure-memory.sh (Xvfb and a D-Bus session); `--detail` adds where the app
process's own memory lies, mapping by mapping.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procmem  # noqa: E402
import tray  # noqa: E402
import xwin  # noqa: E402
from app import AUTO, App, wait_for  # noqa: E402

DASHBOARD = r"path=/api/v1/stats/dashboard status=200"
QUESTION = {"text": "when do I receive my key"}


def log(msg):
    print(f"[memory] {msg}", file=sys.stderr, flush=True)


def sample(root, n, before_each=None):
    """Median PSS (KiB) of the tree, and of each kind of process in it, over n samples."""
    totals, kinds = [], {}
    for i in range(n):
        if before_each:
            before_each()
        rows, total = procmem.snapshot(root)
        totals.append(total)
        per = {}
        for _, comm, pss, _ in rows:
            per[comm] = per.get(comm, 0) + pss
        for comm, pss in per.items():
            kinds.setdefault(comm, []).append(pss)
        if i + 1 < n:
            time.sleep(1)
    return statistics.median(totals), {c: statistics.median(v) for c, v in kinds.items()}


def line(label, figure):
    total, kinds = figure
    parts = ", ".join(f"{c} {procmem.mib(k):.0f}" for c, k in sorted(kinds.items(), key=lambda kv: -kv[1]))
    return f"{label:<34} {procmem.mib(total):7.1f} MB   ({parts})"


def detail(pid, title):
    print(f"\n{title} (PID {pid}), PSS by mapping, MB (anonymous part):")
    for name, pss, anon in procmem.by_mapping(pid, top=18):
        print(f"  {procmem.mib(pss):7.1f}  ({procmem.mib(anon):5.1f})  {name}")


# The web process hands its pages back this long after the page loaded
# (src-tauri/web-extension/trim.c, SETTLE_SECONDS), plus a margin: a sample taken before that
# measured the web process 5 MB heavier, which was most of the noise between runs.
WEB_PROCESS_RELEASE_SECS = 5 + 2


def settle_after_load(loaded_at, settle):
    """Waits `settle` seconds, and at least until the web process's release after the load."""
    time.sleep(max(settle, loaded_at + WEB_PROCESS_RELEASE_SECS - time.time()))


def measure_app(args):
    app = App({"AUTO_RELEASE_MODEL_AFTER_SECS": str(args.release_after)})
    figures = []
    try:
        app.start()
        pid = app.proc.pid
        wait_for("the dashboard in the window", lambda: app.count(DASHBOARD) >= 1, timeout=90)
        loaded_at = time.time()
        wait_for("the window to be mapped", lambda: xwin.visible_windows(app.env), timeout=30)
        try:  # the app lets its start-up pages go a little after start (trim.rs)
            wait_for("start-up pages handed back",
                     lambda: "start-up pages handed back" in app.log(), timeout=30)
        except AssertionError:
            log("this build does not hand start-up pages back")
        settle_after_load(loaded_at, args.settle)
        figures.append(("window open on the dashboard", sample(pid, args.samples)))
        if args.detail:
            for child, comm in procmem.tree(pid):
                detail(child, f"{comm}, window open")

        for window in xwin.visible_windows(app.env):
            xwin.close(app.env["DISPLAY"], window)
        wait_for("the window to close", lambda: not xwin.visible_windows(app.env), timeout=10)
        # WebKit's web process ends shortly after its view; give it the time it takes.
        time.sleep(args.settle)
        figures.append(("window closed (in the tray)", sample(pid, args.samples)))
        if args.detail:
            detail(pid, "the app process, window closed")

        if args.quick:
            return figures, (0.0, None)

        def ask():
            found = app.api("POST", "/api/v1/assistant/search", QUESTION)
            assert found["mode"] == "hybrid", f"the model is not in use: {found}"

        ask()
        figures.append(("window closed, model loaded", sample(pid, args.samples, ask)))
        wait_for("the model to be let go", lambda: not app.api(
            "GET", "/api/v1/assistant/status")["search"]["model_loaded"],
            timeout=args.release_after + 30)
        time.sleep(2)
        figures.append(("window closed, model let go", sample(pid, args.samples)))

        t = wait_for("the tray", tray.find, timeout=30)
        loads = app.count(DASHBOARD)
        started = time.time()
        tray.click(t, "Open AUTO")
        wait_for("the window back", lambda: xwin.visible_windows(app.env), timeout=30, every=0.05)
        shown = time.time() - started
        try:
            wait_for("the dashboard loaded again", lambda: app.count(DASHBOARD) > loads,
                     timeout=10, every=0.05)
            loaded = time.time() - started
        except AssertionError:
            loaded = None  # a window that was only hidden kept its page
        reopen = (shown, loaded)
        settle_after_load(time.time() if loaded is None else started + loaded, args.settle)
        figures.append(("window opened again", sample(pid, args.samples)))
        tray.click(t, "Quit AUTO")
        app.proc.wait(timeout=60)
        return figures, reopen
    finally:
        app.stop()


def measure_serve(args):
    data_dir = tempfile.mkdtemp(prefix="auto-serve-")
    env = dict(os.environ, AUTO_KEY_STORE="file",
               AUTO_MODELS_DIR=os.environ.get("AUTO_MODELS_DIR", os.path.expanduser("~/.cache/auto")))
    proc = subprocess.Popen([AUTO, "--data-dir", data_dir, "serve", "--port", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        wait_for("auto serve", lambda: re.search(r"ready at", proc.stdout.readline()), timeout=120)
        time.sleep(args.settle)
        figure = sample(proc.pid, args.samples)
        if args.detail:
            detail(proc.pid, "auto serve, idle")
        return figure
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--samples", type=int, default=5, help="samples per figure (median)")
    p.add_argument("--settle", type=float, default=5.0, help="seconds to wait before sampling")
    p.add_argument("--release-after", type=int, default=5,
                   help="AUTO_RELEASE_MODEL_AFTER_SECS for the run (the app's default is 600)")
    p.add_argument("--detail", action="store_true", help="where the app process's memory lies")
    p.add_argument("--quick", action="store_true",
                   help="only the window open and closed (for trying settings)")
    p.add_argument("--no-serve", action="store_true", help="skip the headless comparison")
    args = p.parse_args()
    assert os.environ.get("DISPLAY"), "run under Xvfb (scripts/measure-memory.sh)"
    figures, reopen = measure_app(args)
    if not (args.no_serve or args.quick):
        figures.append(("headless `auto serve`, idle", measure_serve(args)))
    print(f"\nAUTO's memory: PSS summed over its processes, median of {args.samples} samples")
    for label, figure in figures:
        print(line(label, figure))
    shown, loaded = reopen
    if args.quick:
        return
    print(f"{'window back after Open AUTO in':<34} {shown:7.2f} s")
    print(f"{'dashboard loaded again in':<34} " + (f"{loaded:7.2f} s" if loaded else "   (the page was kept)"))


if __name__ == "__main__":
    main()
