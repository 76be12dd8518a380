"""Each woman's way (`ways`), kept by triggers, always equals what her record says, recomputed from scratch:
after sign-ups, corrections, stays and steps added, changed and deleted, and erasures; and when the
migration fills it for the women already there."""

import itertools
import random

import pytest

import db as database
from blueprints.privacy import erasure
from blueprints.reports import queries
from choices import CHANNELS, COMPANY_OFFERS, STAGES, STEP_KINDS, SUBGROUPS

from . import reports_from_scratch as from_scratch
from .test_migrations import migrate_up_to

# What `ways` must hold, from her record alone (written apart from the triggers, on purpose).
FROM_SCRATCH = f"""
    SELECT p.id AS participant_id, coalesce(p.channel, '') AS channel, p.campaign_id, p.estate_id, p.subgroup,
           p.language,
           CASE WHEN p.year_of_birth IS NULL THEN 'unknown'
                ELSE (SELECT band FROM (SELECT 25 AS below, 'under 25' AS band UNION ALL SELECT 35, '25-34'
                                        UNION ALL SELECT 45, '35-44' UNION ALL SELECT 55, '45-54'
                                        UNION ALL SELECT 1000, '55+')
                       WHERE CAST(substr(p.registered_at, 1, 4) AS INTEGER) - p.year_of_birth < below
                       ORDER BY below LIMIT 1) END AS age_band,
           substr(p.registered_at, 1, 10) AS registered_on,
           (SELECT min(day) FROM (SELECT substr(called_at, 1, 10) AS day FROM calls WHERE participant_id = p.id
                                     AND outcome IN ('reached', 'meeting_booked')
                                  UNION ALL SELECT substr(contacted_at, 1, 10) FROM contacts WHERE participant_id = p.id
                                  UNION ALL SELECT enrolled_on FROM visitations WHERE participant_id = p.id)) AS reached_on,
           (SELECT min(enrolled_on) FROM visitations WHERE participant_id = p.id) AS enrolled_on,
           (SELECT min(started_on) FROM steps WHERE participant_id = p.id
               AND kind IN ({", ".join(f"'{kind}'" for kind in COMPANY_OFFERS)})) AS company_offer_on,
           (SELECT min(started_on) FROM steps WHERE participant_id = p.id AND kind = 'small_job') AS small_job_on,
           (SELECT min(started_on) FROM steps WHERE participant_id = p.id AND kind = 'ordinary_job')
               AS ordinary_job_on,
           (SELECT min(started_on) FROM steps WHERE participant_id = p.id AND kind = 'education') AS education_on
      FROM participants p ORDER BY p.id"""
KEPT = """SELECT participant_id, channel, campaign_id, estate_id, subgroup, language, age_band, registered_on,
                 reached_on, enrolled_on, company_offer_on, small_job_on, ordinary_job_on, education_on
            FROM ways ORDER BY participant_id"""


def same_as_her_record(db):
    kept = [tuple(row) for row in db.execute(KEPT)]
    expected = [tuple(row) for row in db.execute(FROM_SCRATCH)]
    assert kept == expected
    return len(kept)


def reports_count_as_from_scratch(db):
    """Every figure the reports add up from the kept counts equals the same figure counted from scratch over
    every woman's way and tally."""
    days = ["2025-12-31", "2026-03-15", "2026-06-30", "2026-09-01", "2026-12-31"]
    kept, counted = queries.measures_on_days(db, days), from_scratch.measures_on_days(db, days)
    for day in days:
        assert kept[day] == counted[day], day
    for day in days:
        kept, counted = queries.aims_change(db, day), from_scratch.aims_change(db, day)
        for aim, (women, change) in counted.items():
            assert kept[aim][0] == women, (day, aim)
            assert kept[aim][1] == (None if change is None else pytest.approx(change)), (day, aim)
    assert queries.flows_by_month(db, "2025-06", "2027-01") == from_scratch.flows_by_month(
        db, "2025-06", "2027-01"
    )
    for breakdown in queries.BREAKDOWNS:
        for month in ("2025-09", "2026-04", "2026-12"):
            kept = queries.funnel_by(db, breakdown, month)
            assert kept == from_scratch.funnel_by(db, breakdown, month), (breakdown, month)
        assert queries.enrolled_by(db, breakdown, "2026-01", "2026-06") == from_scratch.enrolled_by(
            db, breakdown, "2026-01", "2026-06"
        ), breakdown
        assert queries.signed_up_by(db, breakdown, "2025-01", "2025-06") == from_scratch.signed_up_by(
            db, breakdown, "2025-01", "2025-06"
        ), breakdown


def a_day(rng, year=2026):
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def sign_up(db, rng, n, stage=None):
    return db.execute(
        """INSERT INTO participants (first_name, phone, language, estate_id, year_of_birth, subgroup, channel,
                                     registered_at, stage)
           VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?)""",
        [
            f"W{n}",
            f"+4520{n:06d}",
            rng.choice(["da", "tr", "ur", "ar"]),
            rng.choice([None, 1960, 1975, 1990, 2003]),
            rng.choice(list(SUBGROUPS)),
            rng.choice([None, *CHANNELS]),
            a_day(rng, 2025) + "T10:00:00+01:00",
            stage or rng.choice(["new", "contacted", "set_aside"]),
        ],
    ).lastrowid


def leave(db, rng, woman, reasons=("moved", "ill", "ordinary_job", "education")):
    """Her open stay ends, on a day not before it began (as the app's form checks)."""
    db.execute(
        """UPDATE visitations SET left_on = max(enrolled_on, ?), leaving_reason = ?
            WHERE participant_id = ? AND left_on IS NULL""",
        [a_day(rng), rng.choice(reasons), woman],
    )


def add_stay(db, rng, woman):
    """She is enrolled again (her open stay ends first), not before her last stay ended."""
    leave(db, rng, woman)
    db.execute(
        """INSERT INTO visitations (participant_id, enrolled_on, benefit, action_plan, left_on, leaving_reason,
                                    recorded_at)
           VALUES (?, max(?, coalesce((SELECT max(left_on) FROM visitations WHERE participant_id = ?), '')),
                   'activity_ready', 'not_yet', NULL, NULL, '2026-01-01')""",
        [woman, a_day(rng), woman],
    )


def add_step(db, rng, woman):
    started = rng.choice([None, a_day(rng)])
    db.execute(
        "INSERT INTO steps (participant_id, kind, started_on, recorded_at) VALUES (?, ?, ?, '2026-01-01')",
        [woman, rng.choice(list(STEP_KINDS)), started],
    )


def some(db, rng, table):
    rows = [row[0] for row in db.execute(f"SELECT id FROM {table}")]
    return rng.choice(rows) if rows else None


def test_the_ways_follow_every_change_to_her_record(db):
    rng = random.Random(2026)
    women = [sign_up(db, rng, n) for n in range(40)]
    numbers = itertools.count(40)
    for _ in range(700):
        action = rng.randrange(14)
        woman = rng.choice(women)
        if action == 0:
            women.append(sign_up(db, rng, next(numbers)))
        elif action == 1 and rng.random() < 0.4:  # she leaves, and stays away unless enrolled again
            leave(db, rng, woman, ("moved", "ordinary_job"))
        elif action in (1, 12, 13):
            add_stay(db, rng, woman)
        elif action in (2, 3):
            add_step(db, rng, woman)
        elif action == 4 and (step := some(db, rng, "steps")):
            db.execute(
                "UPDATE steps SET kind = ?, started_on = ? WHERE id = ?",
                [rng.choice(list(STEP_KINDS)), rng.choice([None, a_day(rng)]), step],
            )
        elif action == 5 and (step := some(db, rng, "steps")):
            db.execute("DELETE FROM steps WHERE id = ?", [step])
        elif action == 6 and (stay := some(db, rng, "visitations")):  # a corrected first day, in its place
            db.execute(
                """UPDATE visitations AS v SET enrolled_on = min(
                       max(?, coalesce((SELECT max(left_on) FROM visitations o
                                         WHERE o.participant_id = v.participant_id AND o.enrolled_on < v.enrolled_on),
                                       '')),
                       coalesce(left_on, '9999'))
                    WHERE id = ?""",
                [a_day(rng), stay],
            )
        elif action == 7 and rng.random() < 0.2 and (stay := some(db, rng, "visitations")):
            db.execute("DELETE FROM visitations WHERE id = ?", [stay])
        elif action == 8:
            db.execute(
                "UPDATE participants SET channel = ?, subgroup = ?, year_of_birth = ?, stage = ? WHERE id = ?",
                [
                    rng.choice([None, *CHANNELS]),
                    rng.choice(list(SUBGROUPS)),
                    rng.choice([None, 1950, 2001]),
                    rng.choice(list(STAGES)),
                    woman,
                ],
            )
        elif action == 9 and rng.random() < 0.5:
            db.execute(
                "INSERT INTO calls (participant_id, called_at, outcome) VALUES (?, ?, ?)",
                [
                    woman,
                    a_day(rng) + "T09:00:00+00:00",
                    rng.choice(["reached", "meeting_booked", "no_answer"]),
                ],
            )
        elif action == 9 and rng.random() < 0.5:
            db.execute(
                """INSERT INTO contacts (id, content_hash, participant_id, kind, contacted_at, received_at)
                   VALUES (?, '', ?, 'phone', ?, '2026-01-01')""",
                [f"c{next(numbers)}", woman, a_day(rng) + "T09:00:00+00:00"],
            )
        elif action == 10:  # answers, from a few women: several each
            db.execute(
                """INSERT INTO progress_answers (participant_id, asked_on, work_identity, society_norms,
                                                 workplace_expectations, health_barriers, language)
                   VALUES (?, ?, ?, ?, ?, ?, 'ar')""",
                [rng.choice(women[:12]), a_day(rng), *(rng.randint(1, 5) for _ in range(4))],
            )
        elif action == 11 and rng.random() < 0.3 and (answer := some(db, rng, "progress_answers")):
            db.execute("DELETE FROM progress_answers WHERE id = ?", [answer])
        elif action == 9 and len(women) > 20:
            women.remove(woman)
            erasure.erase(db, woman, "withdrawn", user_id=None)
    assert same_as_her_record(db) == len(women)
    reports_count_as_from_scratch(db)
    assert db.execute("SELECT count(*) FROM ways WHERE enrolled_on IS NOT NULL").fetchone()[0] >= 5
    assert db.execute("SELECT count(*) FROM ways WHERE company_offer_on IS NOT NULL").fetchone()[0] >= 3
    assert db.execute("SELECT count(*) FROM erased_tallies").fetchone()[0] >= 3
    assert queries.aims_change(db, "2026-12-31")["work_identity"][0] >= 3  # answered twice or more
    assert queries.measures_on(db, "2026-12-31")["left_other"] >= 3


def test_she_is_reached_from_the_first_call_that_reached_her_and_stays_reached(db):
    rng = random.Random(1)
    woman = sign_up(db, rng, 1, stage="new")

    def reached_on():
        return db.execute("SELECT reached_on FROM ways WHERE participant_id = ?", [woman]).fetchone()[0]

    db.execute(
        "INSERT INTO calls (participant_id, called_at, outcome) VALUES (?, '2026-03-02T09:00', 'no_answer')",
        [woman],
    )
    db.execute("UPDATE participants SET stage = 'contacted' WHERE id = ?", [woman])
    assert reached_on() is None  # only a call that reached her, a contact, a group or an enrolment
    db.execute(
        "INSERT INTO calls (participant_id, called_at, outcome) VALUES (?, '2026-03-05T09:00', 'reached')",
        [woman],
    )
    db.execute("UPDATE participants SET stage = 'closed' WHERE id = ?", [woman])
    assert reached_on() == "2026-03-05"
    add_stay(db, rng, woman)  # enrolled later: still reached in March
    assert reached_on() == "2026-03-05"
    group = db.execute(
        "INSERT INTO groups (name, activity, created_at) VALUES ('G', 'cooking', '2026')"
    ).lastrowid
    session = db.execute(
        "INSERT INTO sessions (group_id, starts_at, ends_at) VALUES (?, '2026-02-01T10:00', '2026-02-01T12:00')",
        [group],
    ).lastrowid
    db.execute(
        """INSERT INTO attendance (session_id, participant_id, checked_in_at, received_at, method, enrolled, client_id)
           VALUES (?, ?, '2026-02-01T10:05', '2026-02-01T10:05', 'walk_in', 0, 'x')""",
        [session, woman],
    )
    assert reached_on() == "2026-02-01"  # she came to a group before the call


@pytest.fixture
def bare(tmp_path):
    connection = database.connect(str(tmp_path / "before.sqlite"))
    yield connection
    connection.close()


def test_the_migration_fills_the_ways_of_the_women_already_there(bare):
    migrate_up_to(bare, "m019_ways")
    rng = random.Random(7)
    women = [sign_up(bare, rng, n, stage="new") for n in range(30)]
    for woman in women[:20]:
        add_stay(bare, rng, woman)
        for _ in range(rng.randrange(4)):
            add_step(bare, rng, woman)
    bare.execute("UPDATE participants SET stage = 'contacted' WHERE id = ?", [women[25]])
    database.migrate(bare)
    kept = [row for row in bare.execute(KEPT) if row["participant_id"] != women[25]]
    assert [tuple(row) for row in kept] == [tuple(r) for r in bare.execute(FROM_SCRATCH) if r[0] != women[25]]
    assert len(kept) == 29
    reports_count_as_from_scratch(bare)
    # Contacted before calls were kept: reached on the day she signed up.
    row = bare.execute(
        "SELECT reached_on, registered_on FROM ways WHERE participant_id = ?", [women[25]]
    ).fetchone()
    assert row["reached_on"] == row["registered_on"]
