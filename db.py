"""The SQLite connection, its transaction helper and the schema migrations."""

import contextlib
import sqlite3

import sqlite_utils
from flask import current_app, g
from sqlite_utils.migrations import Migrations


def connect(path):
    """Open a connection tuned for several writers: WAL, durable commits, foreign keys."""
    # isolation_level=None: the driver opens no implicit transactions, so every
    # multi-row write is an explicit BEGIN IMMEDIATE in transaction().
    conn = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.row_factory = sqlite3.Row
    return sqlite_utils.Database(conn)


def get_db():
    """Return this request's database, opening it on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exception=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@contextlib.contextmanager
def transaction(db):
    """Run a block in one BEGIN IMMEDIATE transaction (a plain BEGIN fails under concurrent writers)."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def migrate(db):
    """Bring the schema up to date."""
    migrations.apply(db)


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
