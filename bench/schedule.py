"""A woman's page and calendar file with 1 to 20 groups of 2 years of sessions: time per request.

Run: .venv/bin/python bench/schedule.py
Each group meets twice a week for two years (about 209 sessions), so 20 groups hold about 4,200
sessions. Her page lists the next 6 weeks; her calendar file the last 60 days and the next 26 weeks. The woman is enrolled in N of them; other women fill 40 more groups so the tables are
not hers alone. Requests go through the Flask test client in this process (no network), so the
figures are the app's own work: SQL, templates, QR code and iCalendar. Median and p95 of 30 requests.
"""

import statistics
import sys
import tempfile
import time
from datetime import time as wall
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the app's modules first: nothing here shadows them

from loadgen import load_now, machine  # noqa: E402

import clock  # noqa: E402
import db as database  # noqa: E402
from app import create_app  # noqa: E402
from blueprints.groups import queries as groups  # noqa: E402
from blueprints.groups.schedule import Schedule  # noqa: E402
from blueprints.me.links import create_link  # noqa: E402

SIZES = (1, 5, 10, 20)
OTHER_GROUPS = 40
REQUESTS = 30


def build(path, app):
    """Return a test client for each size, each holding the cookie of a woman in that many groups."""
    db = database.connect(path)
    staff = db.execute(
        "INSERT INTO users (username, password_hash, role, created_at) VALUES ('f', 'x', 'facilitator', '2026')"
    ).lastrowid
    schedule = Schedule(clock.today(), clock.today() + timedelta(days=730), (1, 3), wall(10), wall(12))
    fields = {
        "activity": "cooking",
        "estate_id": None,
        "place": "Beboerhuset",
        "bring": "Forklæde",
        "languages": ["da"],
        "capacity": 20,
    }
    clients = {}
    with database.transaction(db):
        group_ids = [
            groups.create_group(db, fields | {"name": f"Gruppe {n}"}, schedule, [staff], [], staff)
            for n in range(max(SIZES) + OTHER_GROUPS)
        ]
        for index, group_id in enumerate(group_ids[max(SIZES) :]):
            for member in range(10):
                woman = db.execute(
                    "INSERT INTO participants (first_name, phone, language, registered_at)"
                    " VALUES ('Anden', ?, 'da', '2026-01-01')",
                    [f"+459{index:03d}{member:04d}"],
                ).lastrowid
                groups.enrol(db, group_id, woman)
        for size in SIZES:
            woman = db.execute(
                "INSERT INTO participants (first_name, phone, language, registered_at)"
                " VALUES ('Amina', ?, 'ar', '2026-01-01')",
                [f"+45200000{size:02d}"],
            ).lastrowid
            for group_id in group_ids[:size]:
                groups.enrol(db, group_id, woman)
            with app.app_context():
                token = create_link(db, woman, staff)
            clients[size] = token
    sessions = db.execute("SELECT count(*) FROM sessions").fetchone()[0]
    db.close()
    result = {}
    for size, token in clients.items():
        client = app.test_client()
        assert client.post(f"/ar/c/{token}").status_code == 303
        result[size] = client
    return result, sessions


def timed(client, url, headers=None, status=200):
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, (url, response.status_code)
    return statistics.median(times), statistics.quantiles(times, n=20)[18], len(response.data)


def main():
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.sqlite")
        app = create_app(
            {"DATABASE": path, "SECRET_KEY": "bench", "PUBLIC_URL": "http://127.0.0.1", "REQUIRE_2FA": False}
        )
        clients, sessions = build(path, app)
        print(
            f"{sessions:,} sessions in {max(SIZES) + OTHER_GROUPS} groups; times in ms (median / p95 of {REQUESTS}).\n"
        )
        print(
            "| groups she is in | sessions in her calendar | page median | page p95 | .ics median | .ics p95"
            " | .ics size | unchanged .ics (304) median |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        base = {}
        for size, client in clients.items():
            page = timed(client, "/ar/c")
            ics = timed(client, "/ar/c/calendar.ics")
            response = client.get("/ar/c/calendar.ics")
            events = response.get_data(as_text=True).count("BEGIN:VEVENT")
            unchanged = timed(client, "/ar/c/calendar.ics", {"If-None-Match": response.headers["ETag"]}, 304)
            base.setdefault("page", page[0])
            base.setdefault("ics", ics[0])
            print(
                f"| {size} | {events:,} | {page[0]:.1f} | {page[1]:.1f} | {ics[0]:.1f} | {ics[1]:.1f} | {ics[2]:,} B"
                f" | {unchanged[0]:.1f} |"
            )
            last = (page[0], ics[0])
        print(
            f"\nFrom 1 to {max(SIZES)} groups: page {last[0] / base['page']:.1f}×, calendar file {last[1] / base['ics']:.1f}×."
        )
    print(f"Load average at the end: {load_now():.1f}.")


if __name__ == "__main__":
    main()
