"""Starting the real `auto-desktop` on a fresh data dir and home, and talking to its engine:
what the desktop test and the memory measurement share."""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESKTOP = os.environ.get("AUTO_DESKTOP_BIN", os.path.join(ROOT, "target/debug/auto-desktop"))
AUTO = os.environ.get("AUTO_BIN", os.path.join(ROOT, "target/debug/auto"))


def wait_for(what, check, timeout=60.0, every=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class App:
    """One AUTO desktop app on its own data dir, home and port."""

    def __init__(self, extra_env=None):
        self.data_dir = tempfile.mkdtemp(prefix="auto-desktop-")
        self.home = tempfile.mkdtemp(prefix="auto-desktop-home-")
        models = os.environ.get("AUTO_MODELS_DIR", os.path.expanduser("~/.cache/auto"))
        # A home of its own: "Start at login" writes its autostart entry there.
        self.env = dict(os.environ, AUTO_DATA_DIR=self.data_dir, AUTO_KEY_STORE="file",
                        HOME=self.home, XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
                        AUTO_MODELS_DIR=models, AUTO_UI_DIR=os.path.join(ROOT, "ui/dist"),
                        RUST_BACKTRACE="1", **(extra_env or {}))
        # A port of its own, so a seller's AUTO on 47821 (or another test) is not in the way.
        with open(os.path.join(self.data_dir, "config.toml"), "w") as f:
            f.write("[server]\nport = 0\n")
        self.proc = None
        self.base = None
        self._token = None

    def start(self, *args):
        """Starts the app and waits for its engine; returns the base URL."""
        self.proc = subprocess.Popen([DESKTOP, *args], env=self.env, stdout=subprocess.PIPE,
                                     stderr=sys.stderr, text=True)
        line = wait_for("the engine to be ready", self.proc.stdout.readline, timeout=120)
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, f"unexpected first line: {line!r}"
        self.base = f"http://127.0.0.1:{m.group(1)}"
        return self.base

    def run_again(self, *args):
        """A second launch of the app with the same data dir and home."""
        return subprocess.run([DESKTOP, *args], env=self.env, capture_output=True, text=True,
                              timeout=60)

    def log(self):
        logs = os.path.join(self.data_dir, "logs")
        text = ""
        if os.path.isdir(logs):
            for name in sorted(os.listdir(logs)):
                with open(os.path.join(logs, name), encoding="utf-8", errors="replace") as f:
                    text += f.read()
        return text

    def count(self, pattern):
        """How often `pattern` (a regex) occurs in the log so far."""
        return len(re.findall(pattern, self.log()))

    def token(self):
        if not self._token:
            self._token = subprocess.run(
                [AUTO, "--data-dir", self.data_dir, "token", "create", "--scope", "admin",
                 "--label", "desktop-test"], env=self.env, capture_output=True, text=True,
                check=True).stdout.strip()
        return self._token

    def api(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token()}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
