"""Outbox throughput: 1,000 sign-ups in one request against 1,000 requests of one, on gunicorn.

Run: .venv/bin/python bench/outbox.py [--workers 4] [--items 1000]
Starts gunicorn on a free port with a fresh demo database, logs in as the outreach worker,
and checks afterwards that every sign-up is stored exactly once.
"""

import argparse
import http.cookiejar
import json
import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import demo  # noqa: E402

PASSWORD = "bench password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database, port, workers):
    env = {**os.environ, "FLASK_DATABASE": database, "FLASK_SECRET_KEY": "bench-secret"}
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
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/da/offline", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


class Phone:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        return self.opener.open(self.base + path).read().decode()

    def log_in(self, username):
        page = self.get("/da/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": PASSWORD})
        self.opener.open(self.base + "/da/login", body.encode())
        self.token = json.loads(self.get("/api/v1/csrf"))["csrf_token"]

    def send(self, items):
        request = urllib.request.Request(
            self.base + "/api/v1/outbox",
            data=json.dumps({"items": items}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token},
        )
        return json.loads(self.opener.open(request).read())["results"]


def signups(database, first, count):
    conn = sqlite3.connect(database)
    consent = conn.execute("SELECT id FROM consent_texts WHERE language = 'ar'").fetchone()[0]
    estate = conn.execute("SELECT id FROM estates LIMIT 1").fetchone()[0]
    conn.close()
    return [
        {
            "id": str(uuid.uuid4()),
            "kind": "signup",
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "data": {
                "first_name": f"Bench {number}",
                "phone": f"+452{200000 + number:07d}",
                "language": "ar",
                "estate_id": estate,
                "year_of_birth": 1980,
                "subgroup": "unknown",
                "interests": ["cooking"],
                "availability": [],
                "childcare": False,
                "channel": "door_to_door",
                "campaign_id": None,
                "consent_text_id": consent,
            },
        }
        for number in range(first, first + count)
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "bench.sqlite")
        demo.rebuild(database, PASSWORD)
        port = free_port()
        server = start_gunicorn(database, port, args.workers)
        try:
            phone = Phone(f"http://127.0.0.1:{port}")
            phone.log_in("outreach")
            batch = signups(database, 0, args.items)
            started = time.perf_counter()
            results = phone.send(batch)
            one_request = time.perf_counter() - started
            assert [r["status"] for r in results] == ["ok"] * args.items

            singles = signups(database, args.items, args.items)
            started = time.perf_counter()
            for item in singles:
                assert phone.send([item])[0]["status"] == "ok"
            one_per_request = time.perf_counter() - started

            replay = phone.send(batch)
            assert [r["status"] for r in replay] == ["duplicate"] * args.items
        finally:
            server.terminate()
            server.wait()
        conn = sqlite3.connect(database)
        stored = conn.execute("SELECT count(*) FROM signups").fetchone()[0]
        conn.close()
    assert stored == 2 * args.items, stored
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"gunicorn with {args.workers} workers, SQLite WAL, synchronous=FULL."
    )
    print("| how | sign-ups | time | per sign-up |")
    print("|---|---:|---:|---:|")
    print(f"| one request | {args.items} | {one_request:.2f} s | {one_request / args.items * 1000:.2f} ms |")
    print(
        f"| one request each | {args.items} | {one_per_request:.2f} s | {one_per_request / args.items * 1000:.2f} ms |"
    )
    print(
        f"\nOne request is {one_per_request / one_request:.1f}× faster than one request per sign-up. "
        f"Stored: {stored} sign-ups for {2 * args.items} sent (plus a replay of {args.items}): none lost, none doubled."
    )


if __name__ == "__main__":
    main()
