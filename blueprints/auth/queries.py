"""Staff accounts, passwords and the login rate limit."""

import hashlib
import hmac
import sqlite3
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from db import transaction

ROLES = ("admin", "coordinator", "facilitator", "outreach")
MIN_PASSWORD_LENGTH = 10
# A login is refused for a while after this many failures in the window: strictly for one
# name from one address, loosely per name (so nobody can lock a colleague out for long from
# elsewhere) and per address (an office behind one address has many staff).
FAILURES_PER_USERNAME_AND_ADDRESS = 5
LIMITS = {"user_address": FAILURES_PER_USERNAME_AND_ADDRESS, "user": 50, "address": 100}
FAILURE_WINDOW = timedelta(minutes=15)

password_hasher = PasswordHasher()  # argon2id with the library's current parameters
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = password_hasher.hash("not a real password")


def utc_now():
    return datetime.now(UTC).isoformat(timespec="seconds")


def hash_password(password):
    return password_hasher.hash(password)


def user_by_id(db, user_id):
    return db.execute("SELECT * FROM users WHERE id = ?", [user_id]).fetchone()


def user_by_username(db, username):
    return db.execute("SELECT * FROM users WHERE username = ?", [username]).fetchone()


def all_users(db):
    return db.execute("SELECT * FROM users ORDER BY role, username").fetchall()


def check_password(db, username, password):
    """Return the active user with these credentials, or None."""
    user = user_by_username(db, username)
    try:
        password_hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user["active"]:
        return None
    if password_hasher.check_needs_rehash(user["password_hash"]):
        set_password(db, user["id"], password)
    return user


class UsernameTaken(Exception):
    pass


def create_user(db, username, role, password, display_name="", by_user_id=None):
    """Add a staff account and return its id; raise UsernameTaken if the name is in use."""
    password_hash = hash_password(password)  # slow: not while holding the write lock
    try:
        with transaction(db):
            cursor = db.execute(
                "INSERT INTO users (username, display_name, role, password_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [username, display_name, role, password_hash, utc_now()],
            )
            record_event(db, by_user_id, "user.create", f"user:{cursor.lastrowid}")
    except sqlite3.IntegrityError as error:
        raise UsernameTaken(username) from error
    return cursor.lastrowid


def set_password(db, user_id, password, keep_session_hash=None):
    """Change a password and end the user's other sessions (a lost phone stays logged out)."""
    password_hash = hash_password(password)
    with transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])
        if keep_session_hash is not None:
            db.execute(
                "DELETE FROM staff_sessions WHERE user_id = ? AND id_hash != ?", [user_id, keep_session_hash]
            )


def set_active(db, user_id, active, by_user_id):
    """Enable or disable an account; disabling ends all its sessions at once."""
    with transaction(db):
        db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])
        if not active:
            db.execute("DELETE FROM staff_sessions WHERE user_id = ?", [user_id])
        record_event(db, by_user_id, "user.enable" if active else "user.disable", f"user:{user_id}")


def record_event(db, user_id, action, record=""):
    """Write to the audit log: ids only, never names or phone numbers."""
    db.execute(
        "INSERT INTO audit_log (at, user_id, action, record) VALUES (?, ?, ?, ?)",
        [utc_now(), user_id, action, record],
    )


def _attempt_key(secret, kind, value):
    return hmac.new(secret.encode(), f"{kind}:{value.lower()}".encode(), hashlib.sha256).hexdigest()


def _attempt_keys(secret, username, address):
    """Keys for the counts: per name and address, per name, per address (HMAC: no names in clear)."""
    return {
        "user_address": _attempt_key(secret, "user_address", f"{username}|{address}"),
        "user": _attempt_key(secret, "user", username),
        "address": _attempt_key(secret, "address", address),
    }


def allow_attempt(db, secret, kind, source, limit):
    """Count one attempt of a kind from a source (an address); False once the window's limit is reached.

    Uses the login_failures table: it counts attempts that must be limited, not only failed logins.
    """
    key = _attempt_key(secret, kind, source)
    since = (datetime.now(UTC) - FAILURE_WINDOW).isoformat(timespec="seconds")
    with transaction(db):
        count = "SELECT count(*) FROM login_failures WHERE key_hash = ? AND failed_at > ?"
        if db.execute(count, [key, since]).fetchone()[0] >= limit:
            return False
        db.execute("INSERT INTO login_failures (key_hash, failed_at) VALUES (?, ?)", [key, utc_now()])
    return True


def begin_login_attempt(db, secret, username, address):
    """Count this attempt as a failure before the password is checked; return False if blocked.

    Counting first, in one write transaction, means parallel guesses cannot all slip
    under the limit while the slow password check runs.
    """
    keys = _attempt_keys(secret, username, address)
    since = (datetime.now(UTC) - FAILURE_WINDOW).isoformat(timespec="seconds")
    count = "SELECT count(*) FROM login_failures WHERE key_hash = ? AND failed_at > ?"
    with transaction(db):
        for kind, limit in LIMITS.items():
            if db.execute(count, [keys[kind], since]).fetchone()[0] >= limit:
                return False
        for key in keys.values():
            db.execute("INSERT INTO login_failures (key_hash, failed_at) VALUES (?, ?)", [key, utc_now()])
        db.execute("DELETE FROM login_failures WHERE failed_at < ?", [since])
    return True


def forget_login_failures(db, secret, username, address):
    """After a successful login: her failures from this address no longer count."""
    keys = _attempt_keys(secret, username, address)
    db.execute("DELETE FROM login_failures WHERE key_hash IN (?, ?)", [keys["user_address"], keys["user"]])
