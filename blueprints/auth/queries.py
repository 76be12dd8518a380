"""Staff accounts, passwords and the login rate limit."""

import hashlib
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from db import transaction

ROLES = ("admin", "coordinator", "facilitator", "outreach")
MIN_PASSWORD_LENGTH = 10
# A login is refused for a while after this many failures in the window.
FAILURES_PER_USERNAME = 5
FAILURES_PER_ADDRESS = 30
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


def create_user(db, username, role, password, display_name=""):
    """Add a staff account and return its id."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [username, display_name, role, hash_password(password), utc_now()],
        )
        record_event(db, None, "user.create", f"user:{cursor.lastrowid}")
    return cursor.lastrowid


def set_password(db, user_id, password):
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [hash_password(password), user_id])


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


def _failure_key(kind, value):
    # Hashed so that the table holds no usernames or addresses in clear.
    return hashlib.sha256(f"{kind}:{value.lower()}".encode()).hexdigest()


def login_blocked(db, username, address):
    """Tell whether too many recent failures block a login from here or for this name."""
    since = (datetime.now(UTC) - FAILURE_WINDOW).isoformat(timespec="seconds")
    count = "SELECT count(*) FROM login_failures WHERE key_hash = ? AND failed_at > ?"
    by_name = db.execute(count, [_failure_key("user", username), since]).fetchone()[0]
    by_address = db.execute(count, [_failure_key("addr", address), since]).fetchone()[0]
    return by_name >= FAILURES_PER_USERNAME or by_address >= FAILURES_PER_ADDRESS


def record_login_failure(db, username, address):
    with transaction(db):
        for key in (_failure_key("user", username), _failure_key("addr", address)):
            db.execute("INSERT INTO login_failures (key_hash, failed_at) VALUES (?, ?)", [key, utc_now()])
        db.execute(
            "DELETE FROM login_failures WHERE failed_at < ?",
            [(datetime.now(UTC) - FAILURE_WINDOW).isoformat(timespec="seconds")],
        )


def clear_login_failures(db, username):
    db.execute("DELETE FROM login_failures WHERE key_hash = ?", [_failure_key("user", username)])
