"""The casework as the programme grows: "My women", her record and her timeline with 3 years of history, and
1,000 contacts in one outbox request, at 1,000 and at 10,000 women.

Run: .venv/bin/python bench/caseload.py          (about two minutes)
A generated, seeded programme: a third of the women enrolled, each with 3 years of contacts (one a week),
group attendance (one a fortnight), five steps and a small job's hours; one coordinator follows 35 women,
another 350, the rest share the others. Each figure is a whole request through the app (the Flask test
client: routing, login, access rules, SQL, template), on a real SQLite file in this process: median and p95 of
20 requests, in ms.
"""

import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the app's modules first: nothing here shadows them

from loadgen import load_now, machine  # noqa: E402

import clock  # noqa: E402
import db as database  # noqa: E402
from app import create_app  # noqa: E402
from blueprints.auth import accounts  # noqa: E402

NOW = datetime(2027, 1, 13, 8, 0, tzinfo=UTC)
YEARS = 3
COORDINATORS = 20
RUNS = 20
PASSWORD = "bench password"
STEP_KINDS = ("danish_course", "company_visit", "taster_internship", "internship", "small_job")


def build(db, women):
    """A programme of `women` women; return (id of a woman with the longest history, coordinators' ids)."""
    rng = random.Random(women)
    coordinators = [
        accounts.create_user(db, f"coordinator{n}", "coordinator", PASSWORD) for n in range(COORDINATORS)
    ]
    accounts.create_user(db, "admin", "admin", PASSWORD)
    start = NOW - timedelta(days=365 * YEARS)
    enrolled = women // 3
    # Coordinator 0 follows 35 women, coordinator 1 350 (at 1,000 women: all the enrolled ones there are).
    owners = [coordinators[0]] * 35 + [coordinators[1]] * min(350, enrolled - 35)
    owners += [coordinators[2 + n % (COORDINATORS - 2)] for n in range(enrolled - len(owners))]
    with database.transaction(db):
        group_id = db.execute(
            "INSERT INTO groups (name, activity, created_at) VALUES ('Madklubben', 'cooking', '2024')"
        ).lastrowid
        sessions = [
            db.execute(
                "INSERT INTO sessions (group_id, starts_at, ends_at) VALUES (?, ?, ?)",
                [
                    group_id,
                    (start + timedelta(days=14 * n)).isoformat(),
                    (start + timedelta(days=14 * n, hours=2)).isoformat(),
                ],
            ).lastrowid
            for n in range(365 * YEARS // 14)
        ]
        db.conn.executemany(
            "INSERT INTO participants (first_name, phone, language, registered_at, stage, coordinator_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    f"Kvinde{n:06d}",
                    f"+452{n:07d}",
                    ("da", "tr", "ur", "ar")[n % 4],
                    (start + timedelta(days=n % 30)).isoformat(timespec="seconds"),
                    "enrolled" if n < enrolled else "new",
                    owners[n] if n < enrolled else None,
                )
                for n in range(women)
            ),
        )
        ids = [row[0] for row in db.execute("SELECT id FROM participants ORDER BY id LIMIT ?", [enrolled])]
        db.conn.executemany(
            "INSERT INTO visitations (participant_id, enrolled_on, coordinator_id, benefit, action_plan,"
            " recorded_at) VALUES (?, ?, ?, 'activity_ready', 'agreed', '2024-01-01')",
            ((pid, (start + timedelta(days=30)).date().isoformat(), owners[n]) for n, pid in enumerate(ids)),
        )
        for n, pid in enumerate(ids):
            days = range(30, 365 * YEARS, 7)
            db.conn.executemany(
                "INSERT INTO contacts (id, content_hash, participant_id, kind, contacted_at, note, recorded_by,"
                " received_at) VALUES (?, 'x', ?, 'meeting', ?, '', ?, ?)",
                (
                    (
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        pid,
                        (start + timedelta(days=day + rng.random())).isoformat(timespec="seconds"),
                        owners[n],
                        (start + timedelta(days=day)).isoformat(timespec="seconds"),
                    )
                    for day in days
                ),
            )
            db.conn.executemany(
                "INSERT INTO attendance (session_id, participant_id, checked_in_at, received_at, method, enrolled,"
                " client_id) VALUES (?, ?, ?, ?, 'qr', 1, ?)",
                (
                    (
                        session,
                        pid,
                        (start + timedelta(days=14 * k)).isoformat(),
                        NOW.isoformat(),
                        f"{pid}-{k}",
                    )
                    for k, session in enumerate(sessions)
                    if k > 2
                ),
            )
            for k, kind in enumerate(STEP_KINDS):
                began = start + timedelta(days=60 + 200 * k)
                step_id = db.execute(
                    "INSERT INTO steps (participant_id, kind, started_on, ended_on, recorded_at)"
                    " VALUES (?, ?, ?, ?, '2024-01-01')",
                    [
                        pid,
                        kind,
                        began.date().isoformat(),
                        None if kind == "small_job" else (began + timedelta(days=90)).date().isoformat(),
                    ],
                ).lastrowid
            db.conn.executemany(
                "INSERT INTO step_hours (step_id, month, hours) VALUES (?, ?, ?)",
                ((step_id, f"{2025 + m // 12}-{1 + m % 12:02d}", 20 + rng.random() * 30) for m in range(24)),
            )
    return ids[0], coordinators


def bench_app(path):
    """The app in this process on a benchmark's database, for its test client (password logins only)."""
    return create_app(
        {
            "DATABASE": path,
            "SECRET_KEY": "bench",
            "PUBLIC_URL": "http://localhost",  # the test client's host
            "REQUIRE_2FA": False,
            "WTF_CSRF_ENABLED": True,
        }
    )


def client_for(app, username):
    client = app.test_client()
    token_page = client.get("/da/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page).group(1)
    response = client.post(
        "/da/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def timed(request):
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), statistics.quantiles(times, n=20)[18]


def contacts_batch(women_ids):
    moment = NOW.isoformat(timespec="seconds")
    return [
        {
            "id": str(uuid.uuid4()),
            "kind": "contact",
            "recorded_at": moment,
            "data": {
                "participant_id": women_ids[n % len(women_ids)],
                "kind": "phone",
                "contacted_at": moment,
            },
        }
        for n in range(1000)
    ]


def measure(women):
    rows = []
    with tempfile.TemporaryDirectory() as folder, clock.fixed(NOW):
        path = str(Path(folder) / "bench.sqlite")
        db = database.connect(path)
        database.migrate(db)
        began = time.perf_counter()
        longest, coordinators = build(db, women)
        built = time.perf_counter() - began
        counts = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("contacts", "attendance")
        }
        db.close()
        app = bench_app(path)
        small, large, admin = (client_for(app, name) for name in ("coordinator0", "coordinator1", "admin"))
        caseload_35 = timed(lambda: small.get("/da/my-women"))
        caseload_350 = timed(lambda: large.get("/da/my-women"))
        record = timed(lambda: admin.get(f"/da/participants/{longest}"))
        history = timed(lambda: admin.get(f"/da/participants/{longest}/timeline"))
        rows += [
            (women, "My women, 35 women", *caseload_35),
            (
                women,
                "My women, 350 women" if women >= 3000 else f"My women, {min(350, women // 3 - 35)} women",
                *caseload_350,
            ),
            (women, "her record, 3 years of history", *record),
            (women, "her timeline, 3 years of history", *history),
        ]
        owned = [
            row[0]
            for row in database.connect(path).execute(
                "SELECT id FROM participants WHERE coordinator_id = ? LIMIT 35", [coordinators[0]]
            )
        ]
        token = small.get("/api/v1/csrf").get_json()["csrf_token"]
        times = []
        for _ in range(5):
            batch = contacts_batch(owned)
            started = time.perf_counter()
            response = small.post("/api/v1/outbox", json={"items": batch}, headers={"X-CSRFToken": token})
            times.append((time.perf_counter() - started) * 1000)
            results = response.get_json()["results"]
            assert {result["status"] for result in results} == {"ok"}, results[:2]
        rows.append((women, "1,000 contacts in one outbox request", statistics.median(times), max(times)))
        print(
            f"  {women:,} women built in {built:.0f} s: {counts['contacts']:,} contacts, {counts['attendance']:,} check-ins"
        )
    return rows


def main():
    print(machine())
    rows = []
    for women in (1_000, 10_000):
        rows += measure(women)
    print("\n| women | request | median ms | p95 ms |")
    print("|---:|---|---:|---:|")
    for women, what, median, p95 in rows:
        print(f"| {women:,} | {what} | {median:.1f} | {p95:.1f} |")
    print("\n(The outbox row's last column is the slowest of 5 requests.)")
    print(f"\nLoad average at the end: {load_now():.1f}.")


if __name__ == "__main__":
    main()
