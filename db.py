"""The SQLite connection, its transaction helper and the schema migrations."""

import contextlib
import fcntl
import itertools
import os
import sqlite3
import threading
import time
import urllib.parse

import click
import sqlite_utils
from flask import current_app, g
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 5000  # how long a write waits for another writer
MIGRATION_PATIENCE_MS = 10 * 60 * 1000  # how long a starting worker waits for another's migration


def existing_file(path):
    """The URI that opens the database at `path` only if it exists (SQLite would otherwise make a new one)."""
    return f"file:{urllib.parse.quote(os.path.abspath(path))}?mode=rw"


def keep_private(path):
    """The database readable by the app's user only (its -wal and -shm files take the same mode)."""
    file = urllib.parse.unquote(str(path).removeprefix("file:").split("?")[0])
    with contextlib.suppress(OSError):  # a file of another owner, or ":memory:"
        if os.path.exists(file) and os.stat(file).st_mode & 0o077:
            os.chmod(file, 0o600)


def connect(path):
    """Open a connection tuned for several writers: WAL, durable commits, foreign keys."""
    # isolation_level=None: the driver opens no implicit transactions, so every
    # multi-row write is an explicit BEGIN IMMEDIATE in transaction().
    uri = str(path).startswith("file:")  # "file:…?mode=rw": an existing file only
    conn = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False, uri=uri)
    keep_private(path)
    switch_to_wal(conn)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA secure_delete=ON")  # deleted rows (an erased woman) are overwritten in the file
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.row_factory = sqlite3.Row
    # Case-insensitive search that also folds Turkish and other non-ASCII letters (SQLite's lower() does not).
    conn.create_function("fold", 1, lambda text: text.casefold() if text else text, deterministic=True)
    return sqlite_utils.Database(conn)


def switch_to_wal(conn, patience=5.0):
    """Put the file in WAL mode, waiting for a worker that is doing the same to a new file."""
    # On a file not yet in WAL mode this PRAGMA writes the header; two workers doing it at once make one
    # fail with "database is locked" at once, without busy_timeout's wait. Once in WAL mode it never fails.
    deadline = time.monotonic() + patience
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


# One connection per worker thread, kept between requests: opening one costs four PRAGMAs, and closing
# the last connection to a WAL database checkpoints it, together about a third of a check-in's time.
_kept = threading.local()


# Each process that serves a database holds a shared lock on this file beside it: a restore, which needs the
# file to itself, refuses while any server has it (blueprints/backups/files.py).
LOCK_SUFFIX = ".lock"
_serving = {}


def hold_serving_lock(path):
    """Hold a shared lock on the database's lock file while this process serves it (a process serves one
    database: the lock of another it served before is let go)."""
    key = (os.getpid(), path)
    if key in _serving:
        return
    for other in [other for other in _serving if other[0] == os.getpid()]:
        os.close(_serving.pop(other))
    descriptor = os.open(f"{path}{LOCK_SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    _serving[key] = descriptor


def stop_serving():
    """Let go of this process's serving locks (a server shutting down; a test that plays one)."""
    for key in [key for key in _serving if key[0] == os.getpid()]:
        os.close(_serving.pop(key))


def get_db():
    """Return this request's database: the thread's kept connection, opened on first use."""
    if "db" not in g:
        path = current_app.config["DATABASE"]
        kept = getattr(_kept, "db", None)
        # A file replaced under the same name (the demo rebuilt) needs a new connection. A restore is refused
        # while a server holds the lock (blueprints/backups/files.py); a missing file is never made anew.
        identity = (os.getpid(), path, *file_identity(path))
        if kept is None or _kept.identity != identity:
            # A connection inherited through fork() belongs to the parent: closing it here would drop
            # the parent's locks, so it is only left behind.
            if kept is not None and _kept.identity[0] == os.getpid():
                kept.close()
            hold_serving_lock(path)
            _kept.db = connect(existing_file(path))
            _kept.identity = (os.getpid(), path, *file_identity(path))
        g.db = _kept.db
    return g.db


def file_identity(path):
    """Return (device, inode) of a file, to notice a file replaced under the same name."""
    try:
        status = os.stat(path)
    except OSError:
        return (None, None)
    return (status.st_dev, status.st_ino)


# What SQLite says when the database is there but cannot be written now (a long write lock) or at all (a
# full disk): a temporary fault, to be tried again, unlike a broken query or a failing disk.
UNAVAILABLE = ("database is locked", "database is busy", "database or disk is full")


def is_unavailable(error):
    """True when an OperationalError means "try again later", not a fault in the query."""
    return isinstance(error, sqlite3.OperationalError) and str(error).lower().startswith(UNAVAILABLE)


def close_db(_exception=None):
    """End the request's use of the connection: nothing may stay open for the next request."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


@contextlib.contextmanager
def transaction(db):
    """Run a block in one transaction: BEGIN IMMEDIATE (a plain BEGIN fails under concurrent writers),
    or a SAVEPOINT when a transaction is already open, so a service can call another that also writes.

    Query functions never open one: the view or the service that calls them does."""
    if db.conn.in_transaction:
        name = f"nested_{next(_savepoints)}"
        db.conn.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            db.conn.execute(f"ROLLBACK TO {name}")
            db.conn.execute(f"RELEASE {name}")
            raise
        db.conn.execute(f"RELEASE {name}")
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


_savepoints = itertools.count(1)


class NoDatabase(click.ClickException):
    """The programme's database is missing or damaged: the app does not start on it (it would otherwise
    become an empty programme, or fail on every request). A command shows the message as its error."""


def open_existing(path):
    """Open the programme's database and bring its schema up to date; NoDatabase when the file is missing,
    is not a database, or is damaged. Only `init-db` and `demo-data` make a new one."""
    if not os.path.exists(path):
        raise NoDatabase(
            f"There is no database at {path}. Run `flask --app app init-db` for a new, empty programme, "
            "or `flask --app app restore BACKUP` to put a backup in place."
        )
    try:
        db = connect(existing_file(path))
        tables = {row["name"] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "_sqlite_migrations" not in tables:
            raise sqlite3.DatabaseError(
                "it has tables but no record of its migrations: not this app's database"
            )
        migrate(db)
    except sqlite3.DatabaseError as error:
        raise NoDatabase(
            f"The database at {path} is damaged ({error}). Restore a backup: `flask --app app restore BACKUP`."
        ) from None
    return db


def migrate(db, migration_set=None):
    """Bring the schema up to date; workers starting together take turns (BEGIN IMMEDIATE)."""
    migration_set = migration_set or migrations
    # A worker starting while another runs a long migration (a backfill over many rows) waits for it,
    # longer than a request would wait for a write.
    db.execute(f"PRAGMA busy_timeout={MIGRATION_PATIENCE_MS}")
    try:
        while pending := migration_set.pending(db):
            keys_off = wants_foreign_keys_off(pending[0])
            # A table rebuild needs foreign keys off, and that PRAGMA is a no-op inside a transaction: it is
            # switched before BEGIN IMMEDIATE, where workers still take turns and re-read what is pending.
            with foreign_keys_off(db) if keys_off else contextlib.nullcontext(), transaction(db):
                apply_alike(db, migration_set, keys_off)
    finally:
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def apply_alike(db, migration_set, keys_off):
    """Apply the pending migrations up to the first that wants foreign keys the other way."""
    # Read again inside the transaction: another worker may have applied some meanwhile.
    others = [m.name for m in migration_set.pending(db) if wants_foreign_keys_off(m) != keys_off]
    migration_set.apply(db, stop_before=others)
    if keys_off and (broken := db.execute("PRAGMA foreign_key_check").fetchall()):
        rows = [tuple(row) for row in broken[:5]]
        raise sqlite3.IntegrityError(f"a migration broke foreign keys (table, rowid, parent, key): {rows}")


def without_foreign_keys(migration):
    """Mark a migration that rebuilds tables: it runs with foreign keys off, then checked."""
    migration.without_foreign_keys = True
    return migration


def wants_foreign_keys_off(migration):
    """Tell whether a registered migration was marked with without_foreign_keys."""
    return getattr(migration.fn, "without_foreign_keys", False)


@contextlib.contextmanager
def foreign_keys_off(db):
    """Switch foreign keys off for a block that opens its own transaction."""
    before = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        db.execute(f"PRAGMA foreign_keys={before}")


migrations = Migrations("netvaerk")


def run_script(db, script):
    """Run SQL statements one by one: executescript() would commit the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


@migrations()
def m001_skeleton(db):
    run_script(
        db,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'facilitator', 'outreach')),
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        -- Server-side sessions: the cookie holds a random id, the table its hash.
        CREATE TABLE staff_sessions (
            id_hash TEXT PRIMARY KEY,
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            data TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            touched_at TEXT NOT NULL
        );
        CREATE INDEX staff_sessions_user ON staff_sessions(user_id);
        CREATE TABLE login_failures (
            key_hash TEXT NOT NULL,
            failed_at TEXT NOT NULL
        );
        CREATE INDEX login_failures_key ON login_failures(key_hash, failed_at);

        CREATE TABLE estates (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            municipality TEXT NOT NULL
        );
        CREATE TABLE consent_texts (
            id INTEGER PRIMARY KEY,
            version INTEGER NOT NULL,
            language TEXT NOT NULL CHECK (language IN ('da', 'tr', 'ur', 'ar')),
            text TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (version, language)
        );
        CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            client_id TEXT UNIQUE,
            first_name TEXT NOT NULL,
            phone TEXT UNIQUE,
            language TEXT NOT NULL CHECK (language IN ('da', 'tr', 'ur', 'ar')),
            estate_id INTEGER REFERENCES estates(id),
            year_of_birth INTEGER,
            subgroup TEXT NOT NULL DEFAULT 'unknown',
            interests TEXT NOT NULL DEFAULT '[]',
            availability TEXT NOT NULL DEFAULT '',
            childcare INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'enrolled',
            coordinator_id INTEGER REFERENCES users(id),
            channel TEXT,
            registered_at TEXT NOT NULL,
            registered_by INTEGER REFERENCES users(id)
        );
        CREATE TABLE consents (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            consent_text_id INTEGER NOT NULL REFERENCES consent_texts(id),
            language TEXT NOT NULL,
            given_at TEXT NOT NULL,
            recorded_by INTEGER REFERENCES users(id),
            withdrawn_at TEXT
        );
        CREATE TABLE groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            activity TEXT NOT NULL,
            estate_id INTEGER REFERENCES estates(id),
            place TEXT NOT NULL DEFAULT '',
            languages TEXT NOT NULL DEFAULT '[]',
            capacity INTEGER NOT NULL DEFAULT 15,
            rule TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE TABLE group_facilitators (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id),
            PRIMARY KEY (group_id, user_id)
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            starts_at TEXT NOT NULL,
            ends_at TEXT NOT NULL,
            topic TEXT NOT NULL DEFAULT '',
            cancelled_at TEXT,
            cancel_reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX sessions_group_start ON sessions(group_id, starts_at);
        CREATE TABLE enrolments (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            state TEXT NOT NULL CHECK (state IN ('active', 'waitlist', 'left')),
            since TEXT NOT NULL,
            PRIMARY KEY (group_id, participant_id)
        );
        -- Who did what to which record; ids only, never names or phone numbers.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER,
            action TEXT NOT NULL,
            record TEXT NOT NULL DEFAULT ''
        );
        """,
    )


@migrations()
def m002_outreach(db):
    run_script(
        db,
        """
        CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            starts_on TEXT NOT NULL,
            ends_on TEXT NOT NULL,
            languages TEXT NOT NULL DEFAULT '[]',
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL
        );
        CREATE TABLE campaign_estates (
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            estate_id INTEGER NOT NULL REFERENCES estates(id),
            PRIMARY KEY (campaign_id, estate_id)
        );
        -- A poster's short link: an opaque code that names a campaign and a channel.
        CREATE TABLE poster_codes (
            code TEXT PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (campaign_id, channel)
        );
        ALTER TABLE participants ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id);
        -- Every sign-up received, once: the phone's id makes a resent sign-up a duplicate,
        -- and a sign-up for a phone number already known is merged into that participant.
        CREATE TABLE signups (
            id TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            merged INTEGER NOT NULL DEFAULT 0,
            channel TEXT NOT NULL,
            campaign_id INTEGER REFERENCES campaigns(id),
            estate_id INTEGER REFERENCES estates(id),
            recorded_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            recorded_by INTEGER REFERENCES users(id)
        );
        CREATE INDEX signups_recorded_by ON signups(recorded_by, recorded_at);
        CREATE INDEX signups_campaign ON signups(campaign_id, channel);
        -- QR cards: only the SHA-256 of the card's code is kept.
        CREATE TABLE cards (
            code_hash TEXT PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            issued_at TEXT NOT NULL,
            replaced_at TEXT
        );
        CREATE INDEX cards_participant ON cards(participant_id);
        -- Ids of erased people's sign-ups, so that a late sync cannot bring them back.
        CREATE TABLE erasures (
            signup_id TEXT PRIMARY KEY,
            erased_at TEXT NOT NULL
        );
        """,
    )


@migrations()
def m003_signup_details_and_erasures(db):
    run_script(
        db,
        """
        -- What each sign-up said, so that a sign-up joined to a known phone number loses nothing.
        ALTER TABLE signups ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
        ALTER TABLE signups ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
        -- Erasing a woman erases her sign-ups; their ids stay here so a late resend cannot bring her back.
        CREATE TRIGGER signups_erased BEFORE DELETE ON signups
        BEGIN
            INSERT OR IGNORE INTO erasures (signup_id, erased_at) VALUES (old.id, datetime('now'));
        END;
        """,
    )


@migrations()
def m004_groups_schedules_and_personal_pages(db):
    run_script(
        db,
        """
        -- A group's schedule: weekly on some weekdays, at local times, between two days.
        ALTER TABLE groups ADD COLUMN bring TEXT NOT NULL DEFAULT '';
        ALTER TABLE groups ADD COLUMN first_day TEXT;
        ALTER TABLE groups ADD COLUMN last_day TEXT;
        ALTER TABLE groups ADD COLUMN weekdays TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE groups ADD COLUMN every_weeks INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE groups ADD COLUMN start_time TEXT;
        ALTER TABLE groups ADD COLUMN end_time TEXT;
        ALTER TABLE groups ADD COLUMN created_by INTEGER REFERENCES users(id);
        -- rule_day: the day of the schedule a session comes from (NULL when added by hand), so that
        -- editing the schedule keeps what was done to each session (cancelled, moved, topic).
        ALTER TABLE sessions ADD COLUMN rule_day TEXT;
        ALTER TABLE sessions ADD COLUMN moved_at TEXT;
        ALTER TABLE sessions ADD COLUMN place TEXT;
        ALTER TABLE sessions ADD COLUMN bring TEXT NOT NULL DEFAULT '';
        -- Raised on every change, so calendars on the phones replace the old event.
        ALTER TABLE sessions ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX sessions_start ON sessions(starts_at);
        ALTER TABLE enrolments ADD COLUMN joined_at TEXT;
        ALTER TABLE enrolments ADD COLUMN left_at TEXT;
        CREATE INDEX enrolments_participant ON enrolments(participant_id, state);
        -- Participants who lead a group: role models, without a staff login.
        CREATE TABLE group_role_models (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            PRIMARY KEY (group_id, participant_id)
        );
        -- A woman's personal link; only hashes are kept. Her feed token and card code are derived
        -- from the link with the app's secret key, which is not in the database.
        CREATE TABLE personal_links (
            token_hash TEXT PRIMARY KEY,
            feed_hash TEXT NOT NULL UNIQUE,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id),
            first_used_at TEXT,
            revoked_at TEXT
        );
        CREATE INDEX personal_links_participant ON personal_links(participant_id);
        -- The link is swapped for a cookie holding another random token, one per phone that opened it.
        CREATE TABLE personal_devices (
            device_hash TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL REFERENCES personal_links(token_hash) ON DELETE CASCADE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX personal_devices_link ON personal_devices(token_hash);
        -- The card shown on her page belongs to her link and stops working with it.
        ALTER TABLE cards ADD COLUMN link_hash TEXT;
        -- Texts sent: who and which session, never the number or the words.
        CREATE TABLE texts_sent (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('reminder', 'cancelled', 'moved', 'link')),
            sent_at TEXT NOT NULL,
            sent_by INTEGER REFERENCES users(id),
            delivered INTEGER NOT NULL
        );
        CREATE INDEX texts_sent_session ON texts_sent(session_id, kind);
        """,
    )
    # Sessions made before schedules existed: their day in Copenhagen is their schedule day.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = ZoneInfo("Europe/Copenhagen")
    seen = set()
    for row in db.execute("SELECT id, group_id, starts_at FROM sessions ORDER BY starts_at").fetchall():
        day = datetime.fromisoformat(row["starts_at"]).astimezone(local).date().isoformat()
        if (row["group_id"], day) not in seen:  # a second session that day counts as added by hand
            seen.add((row["group_id"], day))
            db.execute("UPDATE sessions SET rule_day = ? WHERE id = ?", [day, row["id"]])
    db.execute("CREATE UNIQUE INDEX sessions_rule_day ON sessions(group_id, rule_day)")
    db.execute("UPDATE enrolments SET joined_at = since WHERE joined_at IS NULL")


@migrations()
def m005_attendance(db):
    run_script(
        db,
        """
        -- One row per woman and session, however often she is scanned (DESIGN.md section 3).
        CREATE TABLE attendance (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            checked_in_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            method TEXT NOT NULL CHECK (method IN ('qr', 'manual', 'walk_in')),
            enrolled INTEGER NOT NULL,
            recorded_by INTEGER REFERENCES users(id),
            client_id TEXT NOT NULL UNIQUE,
            UNIQUE (session_id, participant_id)
        );
        CREATE INDEX attendance_participant ON attendance(participant_id, session_id);
        -- Every check-in item the phones sent and what it was answered, so a resend gets the same answer.
        CREATE TABLE checkin_items (
            id TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL,
            status TEXT NOT NULL,
            reason TEXT NOT NULL,
            participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
            received_at TEXT NOT NULL
        );
        """,
    )


@migrations()
def m006_refused_checkins_kept(db):
    run_script(
        db,
        """
        -- Refused check-ins are kept like accepted ones (a resend gets the same answer), with their session
        -- and who scanned, so that the register can show them.
        ALTER TABLE checkin_items ADD COLUMN session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE;
        ALTER TABLE checkin_items ADD COLUMN recorded_by INTEGER REFERENCES users(id);
        CREATE INDEX checkin_items_session ON checkin_items(session_id, status);
        """,
    )


@migrations()
def m007_phrases(db):
    run_script(
        db,
        """
        -- What to bring and why a session is cancelled, as phrases from a translated list (choices.py):
        -- a woman reads them in her language, with a pictogram. Free text stays beside them.
        ALTER TABLE groups ADD COLUMN bring_phrases TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sessions ADD COLUMN bring_phrases TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sessions ADD COLUMN cancel_phrase TEXT NOT NULL DEFAULT '';
        """,
    )


@migrations()
@without_foreign_keys
def m008_data_protection(db):
    run_script(
        db,
        """
        -- AUTOINCREMENT: an erased woman's id is never given to another (audit rows and the erasure ledger
        -- name her by id only, and must never come to name someone else).
        CREATE TABLE participants_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            client_id TEXT UNIQUE,
            first_name TEXT NOT NULL,
            phone TEXT UNIQUE,
            language TEXT NOT NULL CHECK (language IN ('da', 'tr', 'ur', 'ar')),
            estate_id INTEGER REFERENCES estates(id),
            year_of_birth INTEGER,
            subgroup TEXT NOT NULL DEFAULT 'unknown',
            interests TEXT NOT NULL DEFAULT '[]',
            availability TEXT NOT NULL DEFAULT '',
            childcare INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'enrolled',
            coordinator_id INTEGER REFERENCES users(id),
            channel TEXT,
            registered_at TEXT NOT NULL,
            registered_by INTEGER REFERENCES users(id),
            campaign_id INTEGER REFERENCES campaigns(id),
            -- Her withdrawal of consent: from then on she is in no list; erased on erase_after.
            withdrawn_at TEXT,
            withdrawn_how TEXT,
            withdrawal_recorded_by INTEGER REFERENCES users(id),
            erase_after TEXT
        );
        INSERT INTO participants_new (id, client_id, first_name, phone, language, estate_id, year_of_birth,
            subgroup, interests, availability, childcare, status, coordinator_id, channel, registered_at,
            registered_by, campaign_id)
        SELECT id, client_id, first_name, phone, language, estate_id, year_of_birth, subgroup, interests,
            availability, childcare, status, coordinator_id, channel, registered_at, registered_by, campaign_id
          FROM participants;
        DROP TABLE participants;
        ALTER TABLE participants_new RENAME TO participants;
        CREATE INDEX participants_erase_after ON participants(erase_after) WHERE erase_after IS NOT NULL;

        -- Who was erased, when and why: ids only. A resent sign-up or a restored backup is checked here.
        CREATE TABLE erased_participants (
            participant_id INTEGER PRIMARY KEY,
            erased_at TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        -- What the programme still reports about an erased woman, with nothing that points to her.
        CREATE TABLE erased_tallies (
            id INTEGER PRIMARY KEY,
            registered_month TEXT NOT NULL,
            erased_month TEXT NOT NULL,
            channel TEXT,
            campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
            estate_id INTEGER REFERENCES estates(id) ON DELETE SET NULL,
            subgroup TEXT NOT NULL,
            language TEXT NOT NULL,
            age_band TEXT NOT NULL,
            status TEXT NOT NULL,
            groups_joined INTEGER NOT NULL,
            sessions_attended INTEGER NOT NULL,
            reason TEXT NOT NULL
        );
        -- Attendance of erased women, as a number per session: the register's totals do not change.
        ALTER TABLE sessions ADD COLUMN erased_attendance INTEGER NOT NULL DEFAULT 0;

        -- Settings an admin may change (retention periods); the defaults live in the code.
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            changed_by INTEGER REFERENCES users(id)
        );

        -- The audit log names a woman by id in its own column, so her record's history can be found,
        -- and it is append-only: only rows older than `audit_kept_from` (set by the retention job from the
        -- audit retention setting, in the same transaction) may be deleted.
        ALTER TABLE audit_log ADD COLUMN participant_id INTEGER;
        UPDATE audit_log SET participant_id = CAST(substr(record, 13) AS INTEGER)
         WHERE record LIKE 'participant:%';
        CREATE INDEX audit_log_participant ON audit_log(participant_id, at) WHERE participant_id IS NOT NULL;
        CREATE INDEX audit_log_user ON audit_log(user_id, at);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'the audit log is append-only');
        END;
        CREATE TRIGGER audit_log_no_early_delete BEFORE DELETE ON audit_log
        WHEN old.at >= coalesce((SELECT value FROM settings WHERE key = 'audit_kept_from'), '')
        BEGIN
            SELECT RAISE(ABORT, 'the audit log is append-only');
        END;
        """,
    )


@migrations()
def m009_group_offers(db):
    run_script(
        db,
        """
        -- A coordinator offers a woman to a group: its facilitators may then find her by name and enrol her.
        CREATE TABLE group_offers (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            offered_by INTEGER REFERENCES users(id),
            offered_at TEXT NOT NULL,
            PRIMARY KEY (group_id, participant_id)
        );
        CREATE INDEX group_offers_participant ON group_offers(participant_id);
        """,
    )


@migrations()
def m010_signups_awaiting_a_coordinator(db):
    run_script(
        db,
        """
        -- A sign-up with a phone number already registered, made by someone who may not learn who is in the
        -- programme (an outreach worker, a poster): it waits until a coordinator says whether it is the same
        -- woman. Until then it adds nothing to her record (no consent, no card).
        ALTER TABLE signups ADD COLUMN awaiting INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX signups_awaiting ON signups(awaiting) WHERE awaiting = 1;
        """,
    )


@migrations()
@without_foreign_keys
def m011_casework(db):
    run_script(
        db,
        """
        -- A new staff role: the job consultant (the coordinator's casework, no administration).
        CREATE TABLE users_new (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL
                CHECK (role IN ('admin', 'coordinator', 'job_consultant', 'facilitator', 'outreach')),
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        INSERT INTO users_new SELECT id, username, display_name, role, password_hash, active, created_at FROM users;
        DROP TABLE users;
        ALTER TABLE users_new RENAME TO users;

        -- Where she is on her way (blueprints/casework/pathway.py): new (to call), contacted, set_aside (no
        -- answer), closed (not interested now, wrong number), enrolled, left. Replaces `status`, which no
        -- code set (every woman was "enrolled").
        ALTER TABLE participants DROP COLUMN status;
        ALTER TABLE participants ADD COLUMN stage TEXT NOT NULL DEFAULT 'new'
            CHECK (stage IN ('new', 'contacted', 'set_aside', 'closed', 'enrolled', 'left'));
        UPDATE participants SET stage = 'contacted'
         WHERE id IN (SELECT participant_id FROM enrolments UNION SELECT participant_id FROM attendance);
        CREATE INDEX participants_stage ON participants(stage, registered_at);
        CREATE INDEX participants_coordinator ON participants(coordinator_id, stage);

        -- The first call after a sign-up, one row per try.
        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            called_at TEXT NOT NULL,
            called_by INTEGER REFERENCES users(id),
            outcome TEXT NOT NULL
                CHECK (outcome IN ('reached', 'meeting_booked', 'no_answer', 'not_interested', 'wrong_number')),
            meeting_on TEXT
        );
        CREATE INDEX calls_participant ON calls(participant_id, called_at);

        -- Her enrolment in the programme ("visitation"), and when and why she left it. She may come back:
        -- one row per stay, at most one open.
        CREATE TABLE visitations (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            enrolled_on TEXT NOT NULL,
            coordinator_id INTEGER REFERENCES users(id),
            benefit TEXT NOT NULL,
            action_plan TEXT NOT NULL CHECK (action_plan IN ('agreed', 'not_relevant', 'not_yet')),
            action_plan_on TEXT,
            planned_end_on TEXT,
            left_on TEXT,
            leaving_reason TEXT,
            recorded_by INTEGER REFERENCES users(id),
            recorded_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX visitations_open ON visitations(participant_id) WHERE left_on IS NULL;
        CREATE INDEX visitations_participant ON visitations(participant_id, enrolled_on);

        -- Contacts with her (a meeting, a call, a home visit…): made on a phone, online or not, sent through
        -- the outbox; the phone's item id makes a resend a duplicate. The note is short and never about
        -- health or family.
        CREATE TABLE contacts (
            id TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('meeting', 'phone', 'home_visit', 'group', 'text', 'other')),
            contacted_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            recorded_by INTEGER REFERENCES users(id),
            received_at TEXT NOT NULL
        );
        CREATE INDEX contacts_participant ON contacts(participant_id, contacted_at);

        -- Companies that take women for visits, internships and jobs (no woman's data).
        CREATE TABLE companies (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            contact_name TEXT NOT NULL DEFAULT '',
            contact_phone TEXT NOT NULL DEFAULT '',
            cvr TEXT,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id)
        );
        CREATE UNIQUE INDEX companies_cvr ON companies(cvr) WHERE cvr IS NOT NULL;

        -- Her pathway: courses, company-based steps, jobs, education and other ways out.
        CREATE TABLE steps (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            company_id INTEGER REFERENCES companies(id),
            planned_start TEXT,
            planned_end TEXT,
            started_on TEXT,
            ended_on TEXT,
            full_time INTEGER,
            hours_per_week REAL,
            recorded_by INTEGER REFERENCES users(id),
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX steps_participant ON steps(participant_id, started_on);
        CREATE INDEX steps_company ON steps(company_id);
        -- A small job's hours, month by month (the 30-hour month and the 225-hour year).
        CREATE TABLE step_hours (
            step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
            month TEXT NOT NULL,
            hours REAL NOT NULL CHECK (hours >= 0 AND hours <= 744),
            PRIMARY KEY (step_id, month)
        );

        -- Her own answers on the programme's four aims, 1 (sad face) to 5 (happy face), with the day.
        CREATE TABLE progress_answers (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            asked_on TEXT NOT NULL,
            work_identity INTEGER NOT NULL CHECK (work_identity BETWEEN 1 AND 5),
            society_norms INTEGER NOT NULL CHECK (society_norms BETWEEN 1 AND 5),
            workplace_expectations INTEGER NOT NULL CHECK (workplace_expectations BETWEEN 1 AND 5),
            health_barriers INTEGER NOT NULL CHECK (health_barriers BETWEEN 1 AND 5),
            language TEXT NOT NULL,
            asked_by INTEGER REFERENCES users(id)
        );
        CREATE INDEX progress_participant ON progress_answers(participant_id, asked_on);

        -- Her competence CV, made with the job consultant; shown to an employer only with her consent.
        CREATE TABLE cvs (
            participant_id INTEGER PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,
            languages TEXT NOT NULL DEFAULT '',
            schooling TEXT NOT NULL DEFAULT '',
            work_in_denmark TEXT NOT NULL DEFAULT '',
            work_abroad TEXT NOT NULL DEFAULT '',
            skills TEXT NOT NULL DEFAULT '',
            wanted_work TEXT NOT NULL DEFAULT '',
            hours TEXT NOT NULL DEFAULT '',
            travel TEXT NOT NULL DEFAULT '',
            consent_on TEXT,
            consent_language TEXT,
            consent_recorded_by INTEGER REFERENCES users(id),
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id)
        );
        """,
    )


@migrations()
def m012_attendance_by_woman_and_time(db):
    run_script(
        db,
        """
        -- Her last check-in is her last contact and her last activity: "My women" asks it for every woman.
        CREATE INDEX attendance_participant_time ON attendance(participant_id, checked_in_at);
        """,
    )


@migrations()
def m013_outcomes_in_erased_tallies(db):
    run_script(
        db,
        """
        -- An erased woman's way to work still counts in the programme's results: months only, no day.
        ALTER TABLE erased_tallies ADD COLUMN enrolled_month TEXT;
        ALTER TABLE erased_tallies ADD COLUMN left_month TEXT;
        ALTER TABLE erased_tallies ADD COLUMN leaving_reason TEXT;
        ALTER TABLE erased_tallies ADD COLUMN company_step INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE erased_tallies ADD COLUMN small_job INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE erased_tallies ADD COLUMN ordinary_job INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE erased_tallies ADD COLUMN education INTEGER NOT NULL DEFAULT 0;
        """,
    )


@migrations()
def m014_two_factor_and_key_ids(db):
    run_script(
        db,
        """
        -- Staff two-factor login (blueprints/auth/two_factor.py): the TOTP secret once confirmed, the last
        -- time step used (a code works once), and one-time recovery codes, kept hashed.
        ALTER TABLE users ADD COLUMN totp_secret TEXT;
        ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN totp_enabled_at TEXT;
        CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            code_hash TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
        -- Which secret key derived a link's feed token and card code (keys.py): they keep working after
        -- the key is rotated. Older links have none: their key is found by trying each kept key.
        ALTER TABLE personal_links ADD COLUMN key_id TEXT;
        """,
    )


@migrations()
def m015_signups_and_consents_by_woman(db):
    run_script(
        db,
        """
        -- Her last sign-up and her last consent are asked for every woman in the calls queue and in the
        -- retention rules: without these, each is a walk through the whole table (bench/scale.py).
        CREATE INDEX signups_participant ON signups(participant_id, recorded_at);
        CREATE INDEX consents_participant ON consents(participant_id, given_at);
        """,
    )


@migrations()
def m016_company_offers_in_erased_tallies(db):
    run_script(
        db,
        """
        -- An offer in a company as the programme's results count it (choices.COMPANY_OFFERS: a visit is not
        -- one). Women erased before this have 0 here; their company_step still says whether any step was.
        ALTER TABLE erased_tallies ADD COLUMN company_offer INTEGER NOT NULL DEFAULT 0;
        """,
    )


@migrations()
def m017_milestones(db):
    run_script(
        db,
        """
        -- The programme's milestones (blueprints/reports): by a day, a measure reaches a target, a number of
        -- women or a share (in %) of those enrolled. No woman's data.
        CREATE TABLE milestones (
            id INTEGER PRIMARY KEY,
            due_on TEXT NOT NULL,
            measure TEXT NOT NULL CHECK (measure IN
                ('enrolled', 'company_offer', 'small_job', 'ordinary_job', 'education', 'left_other')),
            target INTEGER NOT NULL CHECK (target >= 0),
            share INTEGER NOT NULL DEFAULT 0 CHECK (share IN (0, 1) AND (share = 0 OR target <= 100)),
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id)
        );
        CREATE INDEX milestones_due ON milestones(due_on);
        """,
    )


@migrations()
@without_foreign_keys
def m018_steering_group(db):
    run_script(
        db,
        """
        -- A read-only role: the steering group sees the programme's numbers and charts, never a woman.
        CREATE TABLE users_new (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL CHECK (role IN
                ('admin', 'coordinator', 'job_consultant', 'facilitator', 'outreach', 'steering_group')),
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            totp_secret TEXT,
            totp_last_step INTEGER NOT NULL DEFAULT 0,
            totp_enabled_at TEXT
        );
        INSERT INTO users_new SELECT id, username, display_name, role, password_hash, active, created_at,
                                     totp_secret, totp_last_step, totp_enabled_at FROM users;
        DROP TABLE users;
        ALTER TABLE users_new RENAME TO users;
        """,
    )


@migrations()
def m019_ways(db):
    # Her age band when she signed up, as the reports and her anonymous tally count it.
    age_band = """CASE
        WHEN NEW.year_of_birth IS NULL THEN 'unknown'
        WHEN CAST(substr(NEW.registered_at, 1, 4) AS INTEGER) - NEW.year_of_birth < 25 THEN 'under 25'
        WHEN CAST(substr(NEW.registered_at, 1, 4) AS INTEGER) - NEW.year_of_birth < 35 THEN '25-34'
        WHEN CAST(substr(NEW.registered_at, 1, 4) AS INTEGER) - NEW.year_of_birth < 45 THEN '35-44'
        WHEN CAST(substr(NEW.registered_at, 1, 4) AS INTEGER) - NEW.year_of_birth < 55 THEN '45-54'
        ELSE '55+' END"""
    # The first day of each result of hers, recomputed from her steps (an offer in a company is
    # choices.COMPANY_OFFERS, written out: a migration does not change with the code).
    results = """
        company_offer_on = (SELECT min(started_on) FROM steps s WHERE s.participant_id = ways.participant_id
            AND s.kind IN ('taster_internship', 'internship', 'wage_subsidy', 'small_job', 'ordinary_job')),
        small_job_on = (SELECT min(started_on) FROM steps s WHERE s.participant_id = ways.participant_id
            AND s.kind = 'small_job'),
        ordinary_job_on = (SELECT min(started_on) FROM steps s WHERE s.participant_id = ways.participant_id
            AND s.kind = 'ordinary_job'),
        education_on = (SELECT min(started_on) FROM steps s WHERE s.participant_id = ways.participant_id
            AND s.kind = 'education')"""
    enrolled = """
        enrolled_on = (SELECT min(enrolled_on) FROM visitations v WHERE v.participant_id = ways.participant_id)"""

    # The first day she was reached: a call that reached her, a contact, a check-in or an enrolment.
    def first_reached(who):
        return f"""(SELECT min(day) FROM (
            SELECT substr(called_at, 1, 10) AS day FROM calls c WHERE c.participant_id = {who}
               AND c.outcome IN ('reached', 'meeting_booked')
            UNION ALL SELECT substr(contacted_at, 1, 10) FROM contacts c WHERE c.participant_id = {who}
            UNION ALL SELECT substr(checked_in_at, 1, 10) FROM attendance a WHERE a.participant_id = {who}
            UNION ALL SELECT enrolled_on FROM visitations v WHERE v.participant_id = {who}))"""

    def reached_on(day):
        return f"reached_on = min(coalesce(reached_on, {day}), {day})"

    def sooner(day):  # only a row it changes: a check-in writes nothing here once she was reached
        return f"(reached_on IS NULL OR reached_on > {day})"

    run_script(
        db,
        f"""
        -- Each woman's way to work in one row, kept by the triggers below from her record: what the
        -- programme's results count of her (blueprints/reports/queries.py), so a report reads one narrow
        -- row a woman instead of every stay and step. Erased with her; her anonymous tally is made from it.
        CREATE TABLE ways (
            participant_id INTEGER PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,  -- '' when not recorded
            campaign_id INTEGER,
            estate_id INTEGER,
            subgroup TEXT NOT NULL,
            language TEXT NOT NULL,
            age_band TEXT NOT NULL,
            registered_on TEXT NOT NULL,
            reached_on TEXT,  -- the first day she was reached (for good, whatever her stage says since)
            enrolled_on TEXT,  -- her first enrolment
            company_offer_on TEXT,  -- the first day of her first step of each kind
            small_job_on TEXT,
            ordinary_job_on TEXT,
            education_on TEXT
        );
        -- Every woman so far, each named NEW as in the triggers. One contacted before calls were recorded
        -- counts as reached on the day she signed up.
        INSERT INTO ways (participant_id, channel, campaign_id, estate_id, subgroup, language, age_band,
                          registered_on, reached_on)
        SELECT NEW.id, coalesce(NEW.channel, ''), NEW.campaign_id, NEW.estate_id, NEW.subgroup, NEW.language,
               {age_band}, substr(NEW.registered_at, 1, 10),
               coalesce({first_reached("NEW.id")}, CASE WHEN NEW.stage IN ('contacted', 'enrolled', 'left')
                                           THEN substr(NEW.registered_at, 1, 10) END)
          FROM participants AS NEW;
        UPDATE ways SET {enrolled}, {results};

        CREATE TRIGGER ways_signed_up AFTER INSERT ON participants
        BEGIN
            INSERT INTO ways (participant_id, channel, campaign_id, estate_id, subgroup, language, age_band,
                              registered_on)
            VALUES (NEW.id, coalesce(NEW.channel, ''), NEW.campaign_id, NEW.estate_id, NEW.subgroup,
                    NEW.language, {age_band}, substr(NEW.registered_at, 1, 10));
        END;
        CREATE TRIGGER ways_details_changed AFTER UPDATE OF channel, campaign_id, estate_id, subgroup, language,
            year_of_birth, registered_at ON participants
        BEGIN
            UPDATE ways SET channel = coalesce(NEW.channel, ''), campaign_id = NEW.campaign_id,
                   estate_id = NEW.estate_id, subgroup = NEW.subgroup, language = NEW.language,
                   age_band = {age_band}, registered_on = substr(NEW.registered_at, 1, 10)
             WHERE participant_id = NEW.id;
        END;
        CREATE TRIGGER ways_stay_added AFTER INSERT ON visitations
        BEGIN
            UPDATE ways SET {enrolled}, {reached_on("NEW.enrolled_on")} WHERE participant_id = NEW.participant_id;
        END;
        CREATE TRIGGER ways_stay_changed AFTER UPDATE OF participant_id, enrolled_on ON visitations
        BEGIN
            UPDATE ways SET {enrolled}, reached_on = {first_reached("ways.participant_id")}
             WHERE participant_id IN (OLD.participant_id, NEW.participant_id);
        END;
        CREATE TRIGGER ways_stay_deleted AFTER DELETE ON visitations
        BEGIN
            UPDATE ways SET {enrolled}, reached_on = {first_reached("ways.participant_id")}
             WHERE participant_id = OLD.participant_id;
        END;
        CREATE TRIGGER ways_reached_by_a_call AFTER INSERT ON calls
        WHEN NEW.outcome IN ('reached', 'meeting_booked')
        BEGIN
            UPDATE ways SET {reached_on("substr(NEW.called_at, 1, 10)")}
             WHERE participant_id = NEW.participant_id AND {sooner("substr(NEW.called_at, 1, 10)")};
        END;
        CREATE TRIGGER ways_reached_by_a_contact AFTER INSERT ON contacts
        BEGIN
            UPDATE ways SET {reached_on("substr(NEW.contacted_at, 1, 10)")}
             WHERE participant_id = NEW.participant_id AND {sooner("substr(NEW.contacted_at, 1, 10)")};
        END;
        CREATE TRIGGER ways_reached_at_a_group AFTER INSERT ON attendance
        BEGIN
            UPDATE ways SET {reached_on("substr(NEW.checked_in_at, 1, 10)")}
             WHERE participant_id = NEW.participant_id AND {sooner("substr(NEW.checked_in_at, 1, 10)")};
        END;
        CREATE TRIGGER ways_step_added AFTER INSERT ON steps
        BEGIN
            UPDATE ways SET {results} WHERE participant_id = NEW.participant_id;
        END;
        CREATE TRIGGER ways_step_changed AFTER UPDATE OF participant_id, kind, started_on ON steps
        BEGIN
            UPDATE ways SET {results} WHERE participant_id IN (OLD.participant_id, NEW.participant_id);
        END;
        CREATE TRIGGER ways_step_deleted AFTER DELETE ON steps
        BEGIN
            UPDATE ways SET {results} WHERE participant_id = OLD.participant_id;
        END;

        -- The month of each result in her anonymous tally, so monthly reports count erased women too
        -- (women erased before this count in the month they enrolled); and how her answers on the four aims
        -- moved from her first to her last (NULL with fewer than two), and that last answer's month.
        ALTER TABLE erased_tallies ADD COLUMN company_offer_month TEXT;
        ALTER TABLE erased_tallies ADD COLUMN small_job_month TEXT;
        ALTER TABLE erased_tallies ADD COLUMN ordinary_job_month TEXT;
        ALTER TABLE erased_tallies ADD COLUMN education_month TEXT;
        UPDATE erased_tallies SET
            company_offer_month = CASE WHEN company_offer THEN enrolled_month END,
            small_job_month = CASE WHEN small_job THEN enrolled_month END,
            ordinary_job_month = CASE WHEN ordinary_job THEN enrolled_month END,
            education_month = CASE WHEN education THEN enrolled_month END;
        ALTER TABLE erased_tallies ADD COLUMN work_identity_change INTEGER;
        ALTER TABLE erased_tallies ADD COLUMN society_norms_change INTEGER;
        ALTER TABLE erased_tallies ADD COLUMN workplace_expectations_change INTEGER;
        ALTER TABLE erased_tallies ADD COLUMN health_barriers_change INTEGER;
        ALTER TABLE erased_tallies ADD COLUMN aims_month TEXT;
        -- The month she was first reached (women erased before this: NULL, reached or not by their status).
        ALTER TABLE erased_tallies ADD COLUMN reached_month TEXT;
        -- Every month she left for other reasons (as JSON), not only her last stay's end: she may have come back.
        ALTER TABLE erased_tallies ADD COLUMN left_other_months TEXT NOT NULL DEFAULT '[]';
        UPDATE erased_tallies SET left_other_months = json_array(left_month)
         WHERE enrolled_month IS NOT NULL AND left_month IS NOT NULL
           AND leaving_reason NOT IN ('ordinary_job', 'education');
        """,
    )


@migrations()
def m020_report_texts(db):
    run_script(
        db,
        """
        -- What the project lead writes in a report (blueprints/reports): per period ("2026H1", "all") and
        -- section (what was done, experience and learning). About the programme, never about one woman.
        CREATE TABLE report_texts (
            period TEXT NOT NULL,
            section TEXT NOT NULL CHECK (section IN ('activities', 'learning')),
            text TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id),
            PRIMARY KEY (period, section)
        );
        """,
    )


@migrations()
def m021_off_public_benefit(db):
    run_script(
        db,
        """
        -- The day she came off public benefit (a job, an education), and the day she came back on it if she
        -- did: what the business case counts (blueprints/reports). Kept by the month in her anonymous tally.
        ALTER TABLE participants ADD COLUMN off_benefit_from TEXT;
        ALTER TABLE participants ADD COLUMN off_benefit_until TEXT;
        CREATE INDEX participants_off_benefit ON participants(off_benefit_from) WHERE off_benefit_from IS NOT NULL;
        ALTER TABLE erased_tallies ADD COLUMN off_benefit_from_month TEXT;
        ALTER TABLE erased_tallies ADD COLUMN off_benefit_until_month TEXT;
        """,
    )


@migrations()
def m022_way_counts(db):
    # The women counted at each event of their way, summed by the day (dimension 'all') and by the month
    # for each breakdown, kept by triggers from `ways` and the erased women's tallies: the reports add up a
    # few thousand rows, however many women the programme has (blueprints/reports/queries.py).
    breakdowns = {
        "channel": "{r}.channel",
        "estate": "coalesce({r}.estate_id, '')",
        "subgroup": "{r}.subgroup",
        "campaign": "coalesce({r}.campaign_id, '')",
        "age_band": "{r}.age_band",
        "language": "{r}.language",
    }

    def after_enrolment(result, r):
        return f"CASE WHEN {r}.enrolled_on IS NOT NULL THEN max({r}.enrolled_on, {r}.{result}_on) END"

    def way_events(r):
        """Each event of a `ways` row (named r) as (event, day) rows."""
        job_or_education = f"min(coalesce({r}.ordinary_job_on, {r}.education_on), coalesce({r}.education_on, {r}.ordinary_job_on))"
        results = " UNION ALL ".join(
            f"SELECT '{result}', {after_enrolment(result, r)}"
            for result in ("company_offer", "small_job", "ordinary_job", "education")
        )
        return f"""SELECT 'signed_up' AS event, {r}.registered_on AS day
            UNION ALL SELECT 'reached', {r}.reached_on
            UNION ALL SELECT 'enrolled', {r}.enrolled_on
            UNION ALL {results}
            UNION ALL SELECT 'job_or_education',
                CASE WHEN {r}.enrolled_on IS NOT NULL THEN max({r}.enrolled_on, {job_or_education}) END
            UNION ALL SELECT DISTINCT 'left', substr(value, 1, 7) || '-01' FROM json_each({r}.left_days)
            UNION ALL SELECT 'left_in', value FROM json_each({r}.left_days)
            UNION ALL SELECT 'left_out', value FROM json_each({r}.back_days)"""

    def tally_events(r):
        """Each event of an erased woman's tally (named r), by the first of its month."""
        results = " UNION ALL ".join(
            f"SELECT '{result}', CASE WHEN {r}.enrolled_month IS NOT NULL THEN max({r}.enrolled_month, {r}.{result}_month) END"
            for result in ("company_offer", "small_job", "ordinary_job", "education")
        )
        job_or_education = (
            f"min(coalesce({r}.ordinary_job_month, {r}.education_month), "
            f"coalesce({r}.education_month, {r}.ordinary_job_month))"
        )
        reached = (
            f"coalesce({r}.reached_month, CASE WHEN {r}.status IN ('contacted', 'enrolled', 'left') "
            f"THEN {r}.registered_month END, {r}.enrolled_month)"
        )
        return f"""SELECT event, month || '-01' AS day FROM (
                SELECT 'signed_up' AS event, {r}.registered_month AS month
                UNION ALL SELECT 'reached', {reached}
                UNION ALL SELECT 'enrolled', {r}.enrolled_month
                UNION ALL {results}
                UNION ALL SELECT 'job_or_education',
                    CASE WHEN {r}.enrolled_month IS NOT NULL THEN max({r}.enrolled_month, {job_or_education}) END
                UNION ALL SELECT 'left', value FROM json_each({r}.left_other_months)
                UNION ALL SELECT 'left_in', CASE WHEN {r}.enrolled_month IS NOT NULL
                    AND {r}.leaving_reason NOT IN ('ordinary_job', 'education') THEN {r}.left_month END)"""

    def count(r, events, keys, sign):
        """Add `sign` (1 or -1) for each event of row r, once by the day and once per breakdown by the month."""
        dimensions = " UNION ALL ".join(
            ["SELECT 'all' AS dimension, '' AS key"]
            + [f"SELECT '{name}', {key.format(r=r)}" for name, key in keys.items()]
        )
        return f"""INSERT INTO way_counts (dimension, key, event, period, women)
            SELECT d.dimension, d.key, e.event,
                   CASE WHEN d.dimension = 'all' THEN e.day ELSE substr(e.day, 1, 7) END, {sign}
              FROM ({dimensions}) AS d, ({events(r)}) AS e
             WHERE e.day IS NOT NULL
            ON CONFLICT (dimension, key, event, period) DO UPDATE SET women = women + excluded.women;"""

    tally_keys = breakdowns | {"channel": "coalesce({r}.channel, '')"}
    # The days she left for other reasons, and the days she came back after each (recomputed from her stays).
    left = """
        left_days = (SELECT json_group_array(left_on) FROM visitations v
                      WHERE v.participant_id = ways.participant_id AND v.left_on IS NOT NULL
                        AND v.leaving_reason NOT IN ('ordinary_job', 'education')),
        back_days = (SELECT json_group_array(back_on) FROM (
                        SELECT left_on, leaving_reason,
                               lead(enrolled_on) OVER (ORDER BY enrolled_on, id) AS back_on
                          FROM visitations v WHERE v.participant_id = ways.participant_id)
                      WHERE left_on IS NOT NULL AND leaving_reason NOT IN ('ordinary_job', 'education')
                        AND back_on IS NOT NULL)"""
    # Her answers on the four aims as steps: from her second answer on, each answer's change from the one
    # before, and 1 on the second (she counts among the women who answered twice from that day).
    aims = ("work_identity", "society_norms", "workplace_expectations", "health_barriers")
    aims_steps = f"""
        aims_steps = (SELECT json_group_array(json_array(asked_on, nth = 2, {", ".join(f"d_{a}" for a in aims)}))
                        FROM (SELECT asked_on, row_number() OVER w AS nth,
                                     {", ".join(f"{a} - lag({a}) OVER w AS d_{a}" for a in aims)}
                                FROM progress_answers p WHERE p.participant_id = ways.participant_id
                              WINDOW w AS (ORDER BY asked_on, id))
                       WHERE nth >= 2)"""

    def aims_count(r, sign):
        deltas = ", ".join(f"{sign} * (value ->> {i + 2})" for i in range(len(aims)))
        return f"""INSERT INTO aims_counts (day, women, {", ".join(aims)})
            SELECT value ->> 0, {sign} * (value ->> 1), {deltas} FROM json_each({r}.aims_steps) WHERE true
            ON CONFLICT (day) DO UPDATE SET women = women + excluded.women,
                {", ".join(f"{a} = {a} + excluded.{a}" for a in aims)};"""

    watched = (
        "channel, campaign_id, estate_id, subgroup, language, age_band, registered_on, reached_on, enrolled_on, "
        "company_offer_on, small_job_on, ordinary_job_on, education_on, left_days, back_days"
    )
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in watched.split(", "))
    run_script(
        db,
        f"""
        CREATE TABLE way_counts (
            dimension TEXT NOT NULL,  -- 'all' (period: a day) or a breakdown (period: a month)
            key TEXT NOT NULL,  -- the breakdown's value ('' when not recorded, and for 'all')
            event TEXT NOT NULL,
            period TEXT NOT NULL,
            women INTEGER NOT NULL,
            PRIMARY KEY (dimension, key, event, period)
        );
        -- The change on the four aims, summed by the day (see aims_steps).
        CREATE TABLE aims_counts (
            day TEXT PRIMARY KEY,
            women INTEGER NOT NULL,
            {", ".join(f"{a} INTEGER NOT NULL" for a in aims)}
        );
        ALTER TABLE ways ADD COLUMN left_days TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE ways ADD COLUMN back_days TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE ways ADD COLUMN aims_steps TEXT NOT NULL DEFAULT '[]';
        UPDATE ways SET {left}, {aims_steps};
        -- Every woman so far, counted by the triggers below as they come back in (at the end).
        CREATE TEMP TABLE ways_so_far AS SELECT * FROM ways;
        CREATE TEMP TABLE tallies_so_far AS SELECT * FROM erased_tallies;
        DELETE FROM ways;
        DELETE FROM erased_tallies;

        CREATE TRIGGER ways_stay_ended AFTER UPDATE OF left_on, leaving_reason ON visitations
        BEGIN
            UPDATE ways SET {left} WHERE participant_id = NEW.participant_id;
        END;
        CREATE TRIGGER ways_stay_left_days AFTER INSERT ON visitations
        BEGIN
            UPDATE ways SET {left} WHERE participant_id = NEW.participant_id;
        END;
        CREATE TRIGGER ways_stay_moved AFTER UPDATE OF participant_id, enrolled_on ON visitations
        BEGIN
            UPDATE ways SET {left} WHERE participant_id IN (OLD.participant_id, NEW.participant_id);
        END;
        CREATE TRIGGER ways_stay_removed AFTER DELETE ON visitations
        BEGIN
            UPDATE ways SET {left} WHERE participant_id = OLD.participant_id;
        END;
        CREATE TRIGGER ways_answer_added AFTER INSERT ON progress_answers
        BEGIN
            UPDATE ways SET {aims_steps} WHERE participant_id = NEW.participant_id;
        END;
        CREATE TRIGGER ways_answer_changed AFTER UPDATE ON progress_answers
        BEGIN
            UPDATE ways SET {aims_steps} WHERE participant_id IN (OLD.participant_id, NEW.participant_id);
        END;
        CREATE TRIGGER ways_answer_deleted AFTER DELETE ON progress_answers
        BEGIN
            UPDATE ways SET {aims_steps} WHERE participant_id = OLD.participant_id;
        END;

        CREATE TRIGGER way_counts_new AFTER INSERT ON ways
        BEGIN
            {count("NEW", way_events, breakdowns, 1)}
            {aims_count("NEW", 1)}
        END;
        CREATE TRIGGER way_counts_changed AFTER UPDATE ON ways WHEN {changed}
        BEGIN
            {count("OLD", way_events, breakdowns, -1)}
            {count("NEW", way_events, breakdowns, 1)}
        END;
        CREATE TRIGGER aims_counts_changed AFTER UPDATE OF aims_steps ON ways WHEN OLD.aims_steps IS NOT NEW.aims_steps
        BEGIN
            {aims_count("OLD", -1)}
            {aims_count("NEW", 1)}
        END;
        CREATE TRIGGER way_counts_gone AFTER DELETE ON ways
        BEGIN
            {count("OLD", way_events, breakdowns, -1)}
            {aims_count("OLD", -1)}
        END;
        CREATE TRIGGER way_counts_erased AFTER INSERT ON erased_tallies
        BEGIN
            {count("NEW", tally_events, tally_keys, 1)}
            INSERT INTO aims_counts (day, women, {", ".join(aims)})
            SELECT NEW.aims_month || '-01', 1, {", ".join(f"NEW.{a}_change" for a in aims)}
             WHERE NEW.aims_month IS NOT NULL AND NEW.work_identity_change IS NOT NULL
            ON CONFLICT (day) DO UPDATE SET women = women + 1,
                {", ".join(f"{a} = {a} + excluded.{a}" for a in aims)};
        END;
        INSERT INTO ways SELECT * FROM ways_so_far;
        INSERT INTO erased_tallies SELECT * FROM tallies_so_far;
        DROP TABLE ways_so_far;
        DROP TABLE tallies_so_far;
        """,
    )


@migrations()
def m023_checked_in_per_session(db):
    run_script(
        db,
        """
        -- Each session's check-ins as a number, kept by triggers: the reports add up the sessions of a
        -- period from one index instead of counting each session's check-ins (erased women's stay in
        -- erased_attendance).
        ALTER TABLE sessions ADD COLUMN checked_in INTEGER NOT NULL DEFAULT 0;
        UPDATE sessions SET checked_in = (SELECT count(*) FROM attendance a WHERE a.session_id = sessions.id);
        CREATE TRIGGER sessions_checked_in AFTER INSERT ON attendance
        BEGIN
            UPDATE sessions SET checked_in = checked_in + 1 WHERE id = NEW.session_id;
        END;
        CREATE TRIGGER sessions_check_in_removed AFTER DELETE ON attendance
        BEGIN
            UPDATE sessions SET checked_in = checked_in - 1 WHERE id = OLD.session_id;
        END;
        CREATE TRIGGER sessions_check_in_moved AFTER UPDATE OF session_id ON attendance
        BEGIN
            UPDATE sessions SET checked_in = checked_in - 1 WHERE id = OLD.session_id;
            UPDATE sessions SET checked_in = checked_in + 1 WHERE id = NEW.session_id;
        END;
        CREATE INDEX sessions_held ON sessions(starts_at, group_id, cancelled_at, erased_attendance, checked_in);
        DROP INDEX sessions_start;
        """,
    )


@migrations()
def m024_group_months(db):
    run_script(
        db,
        """
        -- Each group's sessions (not cancelled) and their check-ins, month by month, kept by triggers on
        -- sessions (whose check-ins are kept by m023's): the reports read a row per group and month.
        CREATE TABLE group_months (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            month TEXT NOT NULL,
            sessions INTEGER NOT NULL,
            present INTEGER NOT NULL,
            PRIMARY KEY (group_id, month)
        );
        INSERT INTO group_months (group_id, month, sessions, present)
        SELECT group_id, substr(starts_at, 1, 7), count(*), sum(checked_in + erased_attendance)
          FROM sessions WHERE cancelled_at IS NULL GROUP BY 1, 2;
        CREATE INDEX group_months_month ON group_months(month, group_id);

        CREATE TRIGGER group_months_session_added AFTER INSERT ON sessions WHEN NEW.cancelled_at IS NULL
        BEGIN
            INSERT INTO group_months (group_id, month, sessions, present)
            VALUES (NEW.group_id, substr(NEW.starts_at, 1, 7), 1, NEW.checked_in + NEW.erased_attendance)
            ON CONFLICT (group_id, month) DO UPDATE SET sessions = sessions + 1, present = present + excluded.present;
        END;
        CREATE TRIGGER group_months_session_changed
        AFTER UPDATE OF group_id, starts_at, cancelled_at, checked_in, erased_attendance ON sessions
        BEGIN
            UPDATE group_months SET sessions = sessions - 1, present = present - OLD.checked_in - OLD.erased_attendance
             WHERE OLD.cancelled_at IS NULL AND group_id = OLD.group_id AND month = substr(OLD.starts_at, 1, 7);
            INSERT INTO group_months (group_id, month, sessions, present)
            SELECT NEW.group_id, substr(NEW.starts_at, 1, 7), 1, NEW.checked_in + NEW.erased_attendance
             WHERE NEW.cancelled_at IS NULL
            ON CONFLICT (group_id, month) DO UPDATE SET sessions = sessions + 1, present = present + excluded.present;
        END;
        CREATE TRIGGER group_months_session_deleted AFTER DELETE ON sessions WHEN OLD.cancelled_at IS NULL
        BEGIN
            UPDATE group_months SET sessions = sessions - 1, present = present - OLD.checked_in - OLD.erased_attendance
             WHERE group_id = OLD.group_id AND month = substr(OLD.starts_at, 1, 7);
        END;
        """,
    )
