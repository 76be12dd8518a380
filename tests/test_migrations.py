"""Migrations: rows made before each one come through, a second run changes nothing, applied ones stay as they were."""

import hashlib
import inspect
import sqlite3

import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations

import db as database

# SHA-256 of each applied migration's source: a database that ran one never runs it again, so an edit
# would reach new databases only. Change the schema with a new migration, and pin its hash here.
APPLIED = {
    "m001_skeleton": "fbdc1d9cc7d0667d413b570ad2973767be992d25e3fa9825da7171751656b364",
    "m002_outreach": "bfc192a9957d6e17bb9f4ec8890b70d33272d88ed10fbb358394c9596100e054",
    "m003_signup_details_and_erasures": "40ccd01681c0cc69f248ec939126b8a7574f5420d9aa9a651eef96af25059ce4",
    "m004_groups_schedules_and_personal_pages": "8c56ee8e5c690bd3c3007425244c9bf021d223ccb5a39c5c6ad2b917fdb14121",
    "m005_attendance": "91ab3160367aaa11a7bebd273930f5bdd77da4a974c9ec9ab2c839b2d20c7657",
    "m006_refused_checkins_kept": "e69e4c34213e56a2a2340168295553013deaee8c1b29b5961a53af6f1c139bb4",
    "m007_phrases": "dd9664ab6149d7dee96520c6fa67ab2bf9964c961114133ce7bc758dd1f5dfb7",
    "m008_data_protection": "5d4af96563cf5366379dd906f6f86b0b14f2f255a71e3005ca66ee5432ed3295",
    "m009_group_offers": "40c53503b85ace8ff8e82d6c0431219c752e0b7271a823b27f984234f6c63485",
    "m010_signups_awaiting_a_coordinator": "23b7ff43592fde9c0dbac42c0ce40c476625e5c1b9708437d7f403ab47bc58c2",
    "m011_casework": "dabc4584e72f16e49769fb007fee094fde7111ad21ce0a009e6b4c037d1c25b9",
    "m012_attendance_by_woman_and_time": "11865dea78bdf35996739f1fd28dce7e370dc73f562c6b130e2956733815f802",
    "m013_outcomes_in_erased_tallies": "ee46b9e47902ddb34fe38e00904ab56e65d1a9f3d64916546be1026c369f35d9",
    "m014_two_factor_and_key_ids": "df0497284226e9e588dc36434d51806ef2ada89b6bba8172e8f471573e84d5e0",
    "m015_signups_and_consents_by_woman": "5ee4268b64f830760c01722e7c2df02fe6395e0eec8ca5500bbeae0ff9512900",
    "m016_company_offers_in_erased_tallies": "47843295bbc7276be67a9b1595d98c3cef67f51762e7244b63d8c77d2d718488",
    "m017_milestones": "343fb5ea6c812412a9331ebcd556cc3abec5d01172a769776546e2894d256406",
    "m018_steering_group": "66ce93107efb3b7af61db59891a1ced0a567d7770310669c9258397965f2ff62",
    "m019_ways": "03e6a7b6a725c0bd570312b38b9a39ea3b6315d1ea67fad4f78a8dc20bd25e22",
    "m020_report_texts": "df58f0589e32e33be6997b66cec318a752ce78c620a99620478cfaa5d3619e1e",
    "m021_off_public_benefit": "fef50a82efe93eb997bb78cdb7376028534736f9cbd4b145f45c096d293bc6d3",
    "m022_way_counts": "7ca4c13221fb7e6cc21fc288012102a38da83228f2929fda6ee15b3e5e0b4572",
    "m023_checked_in_per_session": "895296a37446a47214e5903596b3a05b36681e7e8f1ac15829f0cac77b4a0a57",
    "m024_group_months": "e8cfd86c666c64eb565d88a1508e8d80603f381233f0a8feacb93c0dea4041e7",
}


def registered():
    """Return the app's migrations in order (everything is pending on an empty database)."""
    return database.migrations.pending(sqlite_utils.Database(memory=True))


def source_hash(migration):
    return hashlib.sha256(inspect.getsource(migration.fn).encode()).hexdigest()


@pytest.fixture
def db(tmp_path):
    connection = database.connect(str(tmp_path / "migrations.sqlite"))
    yield connection
    connection.close()


def migrate_up_to(db, name):
    """Build the schema as it was just before migration `name` (an empty database before the first)."""
    with database.transaction(db):
        database.migrations.apply(db, stop_before=name)


def insert(db, table, columns, *rows):
    """Insert rows given as tuples in the order of `columns` (names separated by spaces)."""
    names = columns.split()
    for row in rows:
        marks = ", ".join("?" * len(names))
        db.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", row)


def values(db, sql):
    return [tuple(row) for row in db.execute(sql)]


JAN = "2025-01-03T10:00:00+00:00"
MAR = "2025-03-02T17:00:00+00:00"


def seed_skeleton(db):
    """Rows of the first schema: staff, an estate, a consent, two women, a group with a session."""
    insert(
        db,
        "users",
        "id username display_name role password_hash active created_at",
        (1, "fatma", "Fatma", "facilitator", "$argon2id$a", 1, JAN),
        (2, "lone", "", "coordinator", "$argon2id$b", 0, JAN),
    )
    insert(db, "estates", "id name municipality", (1, "Vejlegårdsparken", "Vallensbæk"))
    insert(
        db, "consent_texts", "id version language text text_hash created_at", (1, 1, "ar", "أوافق", "ab", JAN)
    )
    insert(
        db,
        "participants",
        "id client_id first_name phone language estate_id year_of_birth interests childcare registered_at registered_by",
        (1, None, "Amina", "+4520000001", "ar", 1, 1984, '["cooking"]', 1, JAN, 1),
        (2, "6b1c0c0e-2", "Ayşe", None, "tr", None, None, "[]", 0, JAN, None),
    )
    insert(
        db, "consents", "participant_id consent_text_id language given_at recorded_by", (1, 1, "ar", JAN, 1)
    )
    insert(
        db,
        "groups",
        "id name activity estate_id place languages created_at",
        (1, "Madklub", "cooking", 1, "Beboerhuset", '["ar", "da"]', JAN),
    )
    insert(db, "group_facilitators", "group_id user_id", (1, 1))
    insert(
        db,
        "enrolments",
        "group_id participant_id state since",
        (1, 1, "active", "2025-01-05T09:00:00+00:00"),
        (1, 2, "waitlist", "2025-01-05T09:30:00+00:00"),
    )
    insert(
        db,
        "sessions",
        "id group_id starts_at ends_at topic cancelled_at",
        (20, 1, "2025-01-14T09:00:00+00:00", "2025-01-14T11:00:00+00:00", "Suppe", JAN),
    )
    insert(db, "audit_log", "at user_id action record", (JAN, 2, "enrol", "participant:1"))


def seed_outreach(db):
    """Rows of m002's time: a campaign, a poster code, sign-ups, a card, an earlier erasure."""
    insert(
        db,
        "campaigns",
        "id name starts_on ends_on created_by created_at",
        (1, "Forår 2025", "2025-03-01", "2025-05-31", 2, MAR),
    )
    insert(db, "campaign_estates", "campaign_id estate_id", (1, 1))
    insert(db, "poster_codes", "code campaign_id channel created_at", ("Xk3tQ", 1, "poster", MAR))
    insert(
        db,
        "participants",
        "id first_name phone language campaign_id channel registered_at",
        (3, "Sadia", "+4520000003", "ur", 1, "poster", MAR),
    )
    insert(
        db,
        "signups",
        "id content_hash participant_id channel campaign_id estate_id recorded_at received_at recorded_by",
        ("signup-1", "h1", 1, "door", None, 1, "2025-01-03T11:00:00+01:00", JAN, 1),
        ("signup-3", "h3", 3, "poster", 1, None, "2025-03-02T18:00:00+01:00", MAR, None),
    )
    insert(db, "cards", "code_hash participant_id issued_at", ("c1", 1, JAN))
    insert(db, "erasures", "signup_id erased_at", ("signup-0", "2025-02-01 09:00:00"))


def seed_signup_details(db):
    """Rows of m003's time: a second sign-up joined to her record, with what she said."""
    insert(
        db,
        "signups",
        "id content_hash participant_id merged channel recorded_at received_at first_name details",
        ("signup-4", "h4", 3, 1, "door", MAR, MAR, "Sadia B.", '{"childcare": true}'),
    )


def seed_schedules(db):
    """Rows of m004's time: a weekly schedule, a session of it, a role model, a personal link, a text."""
    db.execute("UPDATE groups SET weekdays = '[1]', start_time = '10:00', end_time = '12:00' WHERE id = 1")
    insert(
        db,
        "sessions",
        "id group_id rule_day starts_at ends_at topic sequence",
        (10, 1, "2025-03-11", "2025-03-11T09:00:00+00:00", "2025-03-11T11:00:00+00:00", "Linser", 2),
    )
    insert(db, "group_role_models", "group_id participant_id", (1, 1))
    insert(
        db,
        "personal_links",
        "token_hash feed_hash participant_id created_at created_by first_used_at",
        ("t1", "f1", 1, MAR, 2, MAR),
    )
    insert(db, "personal_devices", "device_hash token_hash created_at", ("d1", "t1", MAR))
    insert(
        db,
        "texts_sent",
        "session_id participant_id kind sent_at sent_by delivered",
        (10, 1, "moved", MAR, 1, 1),
    )


def seed_attendance(db):
    """Rows of m005's time: a check-in and the answer kept for its outbox item."""
    insert(
        db,
        "attendance",
        "session_id participant_id checked_in_at received_at method enrolled recorded_by client_id",
        (10, 1, "2025-03-11T09:58:00+00:00", "2025-03-11T09:58:01+00:00", "qr", 1, 1, "a-1"),
    )
    insert(
        db,
        "checkin_items",
        "id content_hash status reason participant_id received_at",
        ("a-1", "k1", "ok", "", 1, "2025-03-11T09:58:01+00:00"),
    )


SEEDS = {
    "m001_skeleton": seed_skeleton,
    "m002_outreach": seed_outreach,
    "m003_signup_details_and_erasures": seed_signup_details,
    "m004_groups_schedules_and_personal_pages": seed_schedules,
    "m005_attendance": seed_attendance,
}
NAMES = [migration.name for migration in registered()]


def seed(db, start=None, stop=None):
    """Insert the rows of each migration's time, for the migrations from `start` up to before `stop`."""
    first = NAMES.index(start) if start else 0
    last = NAMES.index(stop) if stop else len(NAMES)
    with database.transaction(db):
        for name in NAMES[first:last]:
            SEEDS.get(name, lambda db: None)(db)


# Columns a later migration dropped on purpose: m011 replaced `participants.status`, which no code ever set
# (every woman was "enrolled"), by `stage`, which it fills from her groups and attendance.
DROPPED = {("participants", "status")}


def columns_of(db):
    return {
        table.name: [name for name in table.columns_dict if (table.name, name) not in DROPPED]
        for table in db.tables
        if table.name != "_sqlite_migrations"
    }


def rows_of(db, columns):
    """Return each table's rows (only the given columns), in the order they were made."""
    return {
        table: [tuple(row) for row in db.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid")]
        for table, names in columns.items()
    }


@pytest.mark.parametrize("name", NAMES[1:])
def test_a_migration_keeps_every_row_made_before_it(db, name):
    migrate_up_to(db, name)
    seed(db, stop=name)
    columns = columns_of(db)
    before = rows_of(db, columns)
    database.migrate(db)
    assert rows_of(db, columns) == before


@pytest.mark.parametrize("name", NAMES)
def test_applying_the_migrations_again_changes_nothing(db, name):
    migrate_up_to(db, name)
    seed(db, stop=name)
    database.migrate(db)
    seed(db, start=name)
    dump = list(db.conn.iterdump())
    database.migrate(db)
    assert list(db.conn.iterdump()) == dump
    assert values(db, "SELECT count(*) FROM attendance") == [(1,)]


def test_m003_erasing_a_woman_records_her_signups_in_erasures(db):
    migrate_up_to(db, "m003_signup_details_and_erasures")
    seed(db, stop="m003_signup_details_and_erasures")
    database.migrate(db)
    assert values(db, "SELECT id, first_name, details FROM signups") == [
        ("signup-1", "", "{}"),
        ("signup-3", "", "{}"),
    ]
    db.execute("DELETE FROM participants WHERE id = 3")  # her sign-ups go with her (ON DELETE CASCADE)
    assert values(db, "SELECT signup_id FROM erasures ORDER BY rowid") == [("signup-0",), ("signup-3",)]
    assert values(db, "SELECT id FROM signups") == [("signup-1",)]


def test_m004_gives_each_day_s_first_session_its_schedule_day_and_enrolments_their_joining_day(db):
    migrate_up_to(db, "m004_groups_schedules_and_personal_pages")
    seed(db, stop="m004_groups_schedules_and_personal_pages")
    insert(db, "groups", "id name activity created_at", (2, "Gåtur", "exercise", JAN))
    insert(
        db,
        "sessions",
        "id group_id starts_at ends_at",
        # Made first, but the later of that Tuesday's two: one added by hand.
        (1, 1, "2025-01-07T15:00:00+00:00", "2025-01-07T17:00:00+00:00"),
        (2, 1, "2025-01-07T09:00:00+00:00", "2025-01-07T11:00:00+00:00"),
        # The same day in another group.
        (3, 2, "2025-01-07T09:00:00+00:00", "2025-01-07T11:00:00+00:00"),
        # Still Tuesday in UTC, but Wednesday 00:30 in Copenhagen; then 1 July 00:30 in summer time.
        (4, 1, "2025-01-07T23:30:00+00:00", "2025-01-08T01:00:00+00:00"),
        (5, 1, "2025-06-30T22:30:00+00:00", "2025-07-01T00:00:00+00:00"),
    )
    database.migrate(db)
    assert values(db, "SELECT id, rule_day FROM sessions ORDER BY id") == [
        (1, None),
        (2, "2025-01-07"),
        (3, "2025-01-07"),
        (4, "2025-01-08"),
        (5, "2025-07-01"),
        (20, "2025-01-14"),
    ]
    assert values(db, "SELECT participant_id, joined_at, left_at FROM enrolments ORDER BY 1") == [
        (1, "2025-01-05T09:00:00+00:00", None),
        (2, "2025-01-05T09:30:00+00:00", None),
    ]
    with pytest.raises(sqlite3.IntegrityError, match="rule_day"):
        insert(db, "sessions", "group_id rule_day starts_at ends_at", (1, "2025-01-07", JAN, JAN))


def test_m005_keeps_one_attendance_row_per_woman_and_session(db):
    database.migrate(db)
    seed(db)
    columns = "session_id participant_id checked_in_at received_at method enrolled client_id"
    scanned_again = (10, 1, MAR, MAR, "manual", 1, "a-2")
    with pytest.raises(sqlite3.IntegrityError, match="session_id, attendance.participant_id"):
        insert(db, "attendance", columns, scanned_again)
    insert(db, "sessions", "id group_id starts_at ends_at", (11, 1, MAR, MAR))
    with pytest.raises(sqlite3.IntegrityError, match="client_id"):
        insert(db, "attendance", columns, (11, 1, MAR, MAR, "manual", 1, "a-1"))
    insert(db, "attendance", columns, (11, 1, MAR, MAR, "manual", 1, "a-2"))
    assert values(db, "SELECT session_id, client_id FROM attendance ORDER BY id") == [
        (10, "a-1"),
        (11, "a-2"),
    ]


@pytest.mark.parametrize("migration", registered(), ids=lambda migration: migration.name)
def test_an_applied_migration_is_never_edited(migration):
    digest = source_hash(migration)
    assert migration.name in APPLIED, (
        f"pin the new migration's hash here (APPLIED in tests/test_migrations.py): {migration.name!r}: {digest!r},"
    )
    assert APPLIED[migration.name] == digest, (
        f"{migration.name} was edited after it was applied: write a new migration instead"
    )


def test_an_applied_migration_is_never_renamed_or_removed():
    missing = set(APPLIED) - set(NAMES)
    assert not missing, (
        f"{sorted(missing)} were applied: a renamed one runs again, a removed one is not undone"
    )


def trial_migrations(rebuild, steps):
    """A throwaway set: parents and children, then `rebuild` of parents with foreign keys off."""
    trial = Migrations("trial")

    @trial()
    def t001_parents_and_children(db):
        steps.append(("t001", db.execute("PRAGMA foreign_keys").fetchone()[0]))
        db.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        db.execute(
            "CREATE TABLE children (id INTEGER PRIMARY KEY,"
            " parent_id INTEGER NOT NULL REFERENCES parents(id) ON DELETE CASCADE)"
        )

    @trial()
    @database.without_foreign_keys
    def t002_rebuild_parents(db):
        steps.append(("t002", db.execute("PRAGMA foreign_keys").fetchone()[0]))
        database.run_script(db, rebuild)

    @trial()
    def t003_index(db):
        steps.append(("t003", db.execute("PRAGMA foreign_keys").fetchone()[0]))
        db.execute("CREATE INDEX children_parent ON children(parent_id)")

    return trial


# SQLite's way to change a table: make the new one, copy, drop the old, rename (with foreign keys
# on, the DROP would delete every child through ON DELETE CASCADE).
REBUILD = """
    CREATE TABLE parents_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (name <> ''));
    INSERT INTO parents_new (id, name) SELECT id, name FROM parents {where};
    DROP TABLE parents;
    ALTER TABLE parents_new RENAME TO parents;
"""


def family(db, trial):
    """Apply the trial set up to the rebuild and add two parents with a child each."""
    with database.transaction(db):
        trial.apply(db, stop_before="t002_rebuild_parents")
        insert(db, "parents", "id name", (1, "Amina"), (2, "Ayşe"))
        insert(db, "children", "id parent_id", (1, 1), (2, 2))


def test_a_rebuild_runs_with_foreign_keys_off_and_keeps_their_data(db):
    steps = []
    trial = trial_migrations(REBUILD.format(where=""), steps)
    family(db, trial)
    database.migrate(db, trial)
    assert steps == [("t001", 1), ("t002", 0), ("t003", 1)]
    assert values(db, "SELECT id, parent_id FROM children ORDER BY id") == [(1, 1), (2, 2)]
    assert "CHECK (name <> '')" in db["parents"].schema
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db.execute("DELETE FROM parents WHERE id = 2")  # the children's key still points at the new table
    assert values(db, "SELECT id FROM children") == [(1,)]


def test_a_rebuild_that_breaks_a_foreign_key_fails_and_rolls_back(db):
    trial = trial_migrations(REBUILD.format(where="WHERE id <> 2"), [])
    family(db, trial)
    schema = db["parents"].schema
    with pytest.raises(sqlite3.IntegrityError, match="children"):
        database.migrate(db, trial)
    assert db["parents"].schema == schema
    assert values(db, "SELECT id FROM parents ORDER BY id") == [(1,), (2,)]
    assert [m.name for m in trial.pending(db)] == ["t002_rebuild_parents", "t003_index"]
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert not db.conn.in_transaction


def test_a_worker_that_saw_the_rebuild_pending_does_not_run_it_again(db, tmp_path):
    steps = []
    trial = trial_migrations(REBUILD.format(where=""), steps)
    family(db, trial)
    steps.clear()
    other = database.connect(str(tmp_path / "migrations.sqlite"))
    seen = trial.pending

    def pending_while_another_worker_migrates(connection):
        found = seen(connection)
        if connection is db and not steps:
            database.migrate(other, trial)  # between this worker's look and its BEGIN IMMEDIATE
        return found

    trial.pending = pending_while_another_worker_migrates
    database.migrate(db, trial)
    other.close()
    assert [step for step, _ in steps] == ["t002", "t003"]
    assert trial.pending(db) == []


def test_m008_names_a_woman_in_the_audit_log_by_id_and_never_gives_an_erased_id_again(db):
    migrate_up_to(db, "m008_data_protection")
    seed(db, stop="m008_data_protection")
    database.migrate(db)
    assert values(db, "SELECT participant_id FROM audit_log WHERE record = 'participant:1'") == [(1,)]
    highest = values(db, "SELECT max(id) FROM participants")[0][0]
    with database.transaction(db):
        db.execute("DELETE FROM participants WHERE id = ?", [highest])
        db.execute(
            "INSERT INTO participants (first_name, language, registered_at) VALUES ('Ny', 'da', ?)", [JAN]
        )
    assert values(db, "SELECT max(id) FROM participants") == [(highest + 1,)]


def test_m008_the_audit_log_is_append_only(db):
    database.migrate(db)
    with database.transaction(db):
        insert(db, "audit_log", "at user_id action record", (JAN, 2, "login", ""))
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    # Older than what the audit retention keeps: the retention job may delete it.
    db.execute(
        "INSERT INTO settings (key, value, changed_at) VALUES ('audit_kept_from', '2025-06-01', ?)", [JAN]
    )
    db.execute("DELETE FROM audit_log")
    assert values(db, "SELECT count(*) FROM audit_log") == [(0,)]


def test_m011_a_woman_who_came_to_a_group_is_contacted_and_the_others_wait_for_a_call(db):
    migrate_up_to(db, "m011_casework")
    seed(db, stop="m011_casework")
    database.migrate(db)
    stages = dict(values(db, "SELECT id, stage FROM participants ORDER BY id"))
    attended = {row[0] for row in values(db, "SELECT participant_id FROM attendance")}
    grouped = {row[0] for row in values(db, "SELECT participant_id FROM enrolments")}
    assert attended | grouped, "the seed has a woman in a group"
    assert {pid for pid, stage in stages.items() if stage == "contacted"} == attended | grouped
    assert {stage for pid, stage in stages.items() if pid not in attended | grouped} <= {"new"}
    assert values(db, "SELECT role FROM users WHERE 0") == []  # the rebuilt users table answers
    insert(db, "users", "username role password_hash created_at", ("jc", "job_consultant", "x", JAN))
