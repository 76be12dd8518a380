"""Outbox throughput: 1,000 sign-ups in one request against 1,000 requests of one, on gunicorn.

Run: .venv/bin/python bench/outbox_signups.py [--workers 4] [--items 1000]
Starts gunicorn on a free port with a fresh demo database, logs in as the outreach worker (one phone,
one CSRF token for its login, as `static/js/outbox.js` keeps it), sends `--items` sign-ups in one
`POST /api/v1/outbox`, then `--items` other sign-ups one per POST, then replays the first batch (all
`duplicate`), and checks that every sign-up is stored exactly once.
"""

import argparse
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the app's modules first: nothing here shadows them

from loadgen import PASSWORD, Phone, free_port, load_now, machine, start_gunicorn  # noqa: E402

import demo  # noqa: E402


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
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "bench.sqlite")
        demo.rebuild(database, PASSWORD)
        conn = sqlite3.connect(database)
        demo_signups = conn.execute("SELECT count(*) FROM signups").fetchone()[0]
        conn.close()
        port = free_port()
        server = start_gunicorn(database, port, args.workers)
        try:
            phone = Phone(f"http://127.0.0.1:{port}")
            phone.log_in("outreach")
            batch = signups(database, 0, args.items)
            started = time.perf_counter()
            status, results = phone.send(batch)
            one_request = time.perf_counter() - started
            assert status == 200 and [r["status"] for r in results] == ["ok"] * args.items, status

            singles = signups(database, args.items, args.items)
            started = time.perf_counter()
            for item in singles:
                status, results = phone.send([item])
                assert status == 200 and results[0]["status"] == "ok", (status, results)
            one_per_request = time.perf_counter() - started

            status, replay = phone.send(batch)
            assert status == 200 and [r["status"] for r in replay] == ["duplicate"] * args.items
        finally:
            server.terminate()
            server.wait()
        conn = sqlite3.connect(database)
        stored = conn.execute("SELECT count(*) FROM signups").fetchone()[0]
        conn.close()
    assert stored == demo_signups + 2 * args.items, (stored, demo_signups)
    print(
        f"gunicorn {args.workers} sync workers, SQLite WAL, synchronous=FULL; {phone.csrf_fetches} CSRF fetch,"
        f" {phone.posts:,} POSTs ({phone.csrf_refused} tokens refused)."
    )
    print("| how | sign-ups | time | per sign-up |")
    print("|---|---:|---:|---:|")
    print(f"| one request | {args.items} | {one_request:.2f} s | {one_request / args.items * 1000:.2f} ms |")
    print(
        f"| one request each | {args.items} | {one_per_request:.2f} s | {one_per_request / args.items * 1000:.2f} ms |"
    )
    print(
        f"\nOne request is {one_per_request / one_request:.1f}× faster than one request per sign-up. "
        f"Stored: {stored - demo_signups} sign-ups for {2 * args.items} sent (plus a replay of {args.items}): none lost, none doubled."
    )
    print(f"Load average at the end: {load_now():.1f}.")


if __name__ == "__main__":
    main()
