"""What the benchmarks share: the machine they ran on, gunicorn on a free port, and a phone's HTTP client.

Not a benchmark itself. Named so that it shadows no module of the app (the app has `outbox.py`, `db.py`,
`clock.py`…): the scripts put the project's root first on sys.path, then this folder.
"""

import http.cookiejar
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench password"

if str(ROOT) not in sys.path:  # the browser settings are the tests'
    sys.path.insert(0, str(ROOT))
# Debian's Chromium, launched as the browser tests launch it; never a download.
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402,F401


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def code_version():
    """The commit measured, and whether the working tree differed from it (others edit it meanwhile)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.splitlines()
        changed = [line for line in changed if not line[3:].startswith("bench/")]
    except (OSError, subprocess.CalledProcessError):
        return "code: not a git checkout"
    return f"code: commit {commit}" + (
        f" with {len(changed)} files of the app changed in the working tree" if changed else ""
    )


def machine():
    """One line naming the machine, the date and how busy it was: figures mean nothing without it."""
    return (
        f"Machine: {cpu_model()} ({platform.machine()}), {os.cpu_count()} cores, Python {platform.python_version()},"
        f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {code_version()}; load average {load_now():.1f} at the start"
        " (the machine is shared: other work ran on it at the same time)."
    )


def load_now():
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database, port, workers):
    """Serve the app with gunicorn (sync workers) on `port`; return the process once it answers."""
    env = {
        **os.environ,
        "FLASK_DATABASE": database,
        "FLASK_SECRET_KEY": "bench-secret",
        "FLASK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "FLASK_REQUIRE_2FA": "false",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [
            gunicorn,
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/da/offline", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


class Phone:
    """A staff phone as `static/js/outbox.js` uses the server: one login, one CSRF token for the page's life.

    `log_in` logs in with the form and fetches one token (`GET /api/v1/csrf`); `send` is one
    `POST /api/v1/outbox` with that token. Only after a `400 {"error": "csrf"}` does it fetch a new
    token and send again. Counts every request, so a benchmark can show it sent one POST per send.
    """

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = None
        self.csrf_fetches = 0
        self.posts = 0
        self.csrf_refused = 0

    def get(self, path):
        return self.opener.open(self.base + path).read().decode()

    def log_in(self, username):
        page = self.get("/da/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": PASSWORD})
        self.opener.open(self.base + "/da/login", body.encode())
        self.fetch_token()

    def fetch_token(self):
        self.csrf_fetches += 1
        self.token = json.loads(self.get("/api/v1/csrf"))["csrf_token"]

    def post(self, items):
        self.posts += 1
        request = urllib.request.Request(
            self.base + "/api/v1/outbox",
            data=json.dumps({"items": items}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token},
        )
        try:
            with self.opener.open(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            body = error.read()
            try:
                return error.code, json.loads(body)
            except ValueError:
                return error.code, {"error": body[:200].decode(errors="replace")}

    def send(self, items):
        """Send a batch; return (HTTP status, results or None). A refused token is fetched again once."""
        status, answer = self.post(items)
        if status == 400 and answer.get("error") == "csrf":
            self.csrf_refused += 1
            self.fetch_token()
            status, answer = self.post(items)
        return status, answer.get("results") if status == 200 else None


def log_in_context(context, username):
    """Log a browser context in through its HTTP client, so that no page is visited before the one measured."""
    page = context.request.get("/da/login").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "username": username, "password": PASSWORD}
    assert context.request.post("/da/login", form=form, max_redirects=0).status == 302
