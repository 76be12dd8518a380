"""Who may see whom, at 100,000 women: the lists and searches the access rules filter, per role.

Run: .venv/bin/python bench/need_to_know.py          (about a minute)
100,000 women, 20 coordinators (each with a caseload of 4,000; 20,000 new sign-ups nobody has taken), 400
groups of 25 led by 40 facilitators, 2,000 offers. Each query is the app's own (the rules of access.py as
SQL conditions), on a real SQLite file, in this process. Median and p95 of 20 runs, in ms.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the app's modules first: nothing here shadows them

from loadgen import load_now, machine  # noqa: E402

import access  # noqa: E402
import db as database  # noqa: E402
from blueprints.auth import queries as staff_queries  # noqa: E402
from blueprints.participants import queries  # noqa: E402
from blueprints.privacy import erasure  # noqa: E402

WOMEN = 100_000
COORDINATORS = 20
FACILITATORS = 40
GROUPS = 400
PER_GROUP = 25
RUNS = 20


def build(db):
    """The programme described above; return {role: user row}."""
    user_ids = {}
    with database.transaction(db):
        for role, count in (("coordinator", COORDINATORS), ("facilitator", FACILITATORS), ("admin", 1)):
            for n in range(count):
                user_ids.setdefault(role, []).append(
                    db.execute(
                        "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, 'x', ?, '2026')",
                        [f"{role}{n}", role],
                    ).lastrowid
                )
        coordinators = user_ids["coordinator"]
        db.conn.executemany(
            "INSERT INTO participants (first_name, phone, language, registered_at, coordinator_id)"
            " VALUES (?, ?, 'da', ?, ?)",
            (
                (
                    f"Kvinde{n:06d}",
                    f"+452{n:07d}",
                    f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+00:00",
                    None if n % 5 == 0 else coordinators[n % COORDINATORS],
                )
                for n in range(WOMEN)
            ),
        )
        for g in range(GROUPS):
            group_id = db.execute(
                "INSERT INTO groups (name, activity, created_at) VALUES (?, 'cooking', '2026')", [f"G{g}"]
            ).lastrowid
            db.execute(
                "INSERT INTO group_facilitators (group_id, user_id) VALUES (?, ?)",
                [group_id, user_ids["facilitator"][g % FACILITATORS]],
            )
            db.conn.executemany(
                "INSERT INTO enrolments (group_id, participant_id, state, since, joined_at)"
                " VALUES (?, ?, 'active', '2026-01-01', '2026-01-01')",
                ((group_id, 1 + g * PER_GROUP + m) for m in range(PER_GROUP)),
            )
            db.conn.executemany(
                "INSERT INTO group_offers (group_id, participant_id, offered_at) VALUES (?, ?, '2026-01-01')",
                ((group_id, 50_000 + g * 5 + m) for m in range(5)),
            )
    return {role: staff_queries.user_by_id(db, ids[0]) for role, ids in user_ids.items()}


def timed(work):
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[18], result


def main():
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        db = database.connect(str(Path(folder) / "bench.sqlite"))
        database.migrate(db)
        users = build(db)
        print(
            f"{WOMEN:,} women, {GROUPS} groups, {COORDINATORS} coordinators, {FACILITATORS} facilitators.\n"
        )
        print("| who | what | found | median ms | p95 ms |")
        print("|---|---|---:|---:|---:|")
        cases = [
            ("coordinator", "latest 50 she may see", lambda u: queries.recent_participants(db, u)),
            (
                "coordinator",
                "search a first name",
                lambda u: queries.find_participants(db, u, "Kvinde01", 50),
            ),
            ("coordinator", "search 4 phone digits", lambda u: queries.find_participants(db, u, "1234", 50)),
            ("admin", "latest 50", lambda u: queries.recent_participants(db, u)),
            ("facilitator", "search a first name", lambda u: queries.find_participants(db, u, "Kvinde0", 10)),
            (
                "coordinator",
                "open one record (may see)",
                lambda u: [access.may_see_participant(db, u, 77_777)],
            ),
            ("admin", "what retention would erase", lambda u: erasure.due(db)["never_joined"]),
        ]
        for role, what, work in cases:
            median, p95, result = timed(lambda work=work, role=role: work(users[role]))
            print(f"| {role} | {what} | {len(result):,} | {median:.1f} | {p95:.1f} |")
        db.close()
    print(f"\nLoad average at the end: {load_now():.1f}.")


if __name__ == "__main__":
    main()
