"""Staff accounts and the login rate limit: the rules, each in its own transaction (SQL in queries.py)."""

import hashlib
import hmac
import sqlite3
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

import clock
from db import transaction

from . import queries

ROLES = ("admin", "coordinator", "job_consultant", "facilitator", "outreach")
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


class UsernameTaken(Exception):
    """The username is in use."""


def check_password(db, username, password):
    """Return the active user with these credentials, or None."""
    user = queries.user_by_username(db, username)
    try:
        password_hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user["active"]:
        return None
    if password_hasher.check_needs_rehash(user["password_hash"]):
        set_password(db, user["id"], password)
    return user


def create_user(db, username, role, password, display_name="", by_user_id=None):
    """Add a staff account and return its id; raise UsernameTaken if the name is in use."""
    password_hash = password_hasher.hash(password)  # slow: not while holding the write lock
    try:
        with transaction(db):
            user_id = queries.insert_user(db, username, display_name, role, password_hash)
            queries.record_event(db, by_user_id, "user.create", f"user:{user_id}")
    except sqlite3.IntegrityError as error:
        raise UsernameTaken(username) from error
    return user_id


def set_password(db, user_id, password, keep_session_hash=None):
    """Change a password and end the user's other sessions (a lost phone stays logged out)."""
    password_hash = password_hasher.hash(password)
    with transaction(db):
        queries.update_password(db, user_id, password_hash)
        if keep_session_hash is not None:
            queries.end_sessions(db, user_id, except_hash=keep_session_hash)


def reset_password(db, user_id, password, by_user_id):
    """Give an account a new password (an administrator's reset) and end all its sessions."""
    password_hash = password_hasher.hash(password)
    with transaction(db):
        queries.update_password(db, user_id, password_hash)
        queries.end_sessions(db, user_id)
        queries.record_event(db, by_user_id, "user.password_reset", f"user:{user_id}")


class LastAdministrator(Exception):
    """The change would leave no active administrator."""


def change_role(db, user_id, role, by_user_id):
    """Give an account another role; refuse to leave the programme without an active administrator."""
    with transaction(db):
        user = queries.user_by_id(db, user_id)
        if user["role"] == role:
            return
        if user["role"] == "admin" and queries.active_admins(db) <= (1 if user["active"] else 0):
            raise LastAdministrator(user_id)
        queries.update_role(db, user_id, role)
        queries.record_event(db, by_user_id, "user.role_change", f"user:{user_id}")


def set_active(db, user_id, active, by_user_id):
    """Enable or disable an account; disabling ends all its sessions at once."""
    with transaction(db):
        queries.update_active(db, user_id, active)
        if not active:
            queries.end_sessions(db, user_id)
        queries.record_event(db, by_user_id, "user.enable" if active else "user.disable", f"user:{user_id}")


def _attempt_key(secret, kind, value):
    """An HMAC of what is counted, so the table holds no usernames or addresses."""
    return hmac.new(secret.encode(), f"{kind}:{value.lower()}".encode(), hashlib.sha256).hexdigest()


def _attempt_keys(secret, username, address):
    """Keys for the counts: per name and address, per name, per address (HMAC: no names in clear)."""
    return {
        "user_address": _attempt_key(secret, "user_address", f"{username}|{address}"),
        "user": _attempt_key(secret, "user", username),
        "address": _attempt_key(secret, "address", address),
    }


def window_start():
    """The oldest attempt time that still counts."""
    return (clock.now() - FAILURE_WINDOW).isoformat(timespec="seconds")


def allow_attempt(db, secret, kind, source, limit, window=None):
    """Count one attempt of a kind from a source (an address); False once the window's limit is reached
    (the window: the login window of 15 minutes unless given).

    Uses the login_failures table: it counts attempts that must be limited, not only failed logins.
    """
    key = _attempt_key(secret, kind, source)
    since = (clock.now() - window).isoformat(timespec="seconds") if window else window_start()
    with transaction(db):
        if queries.attempts_since(db, key, since) >= limit:
            return False
        queries.add_attempt(db, key)
    return True


def begin_login_attempt(db, secret, username, address):
    """Count this attempt as a failure before the password is checked; return False if blocked.

    Counting first, in one write transaction, means parallel guesses cannot all slip
    under the limit while the slow password check runs.
    """
    keys = _attempt_keys(secret, username, address)
    since = window_start()
    with transaction(db):
        for kind, limit in LIMITS.items():
            if queries.attempts_since(db, keys[kind], since) >= limit:
                return False
        for key in keys.values():
            queries.add_attempt(db, key)
        queries.delete_attempts_before(db, since)
    return True


def forget_login_failures(db, secret, username, address):
    """After a successful login: her failures from this address no longer count."""
    keys = _attempt_keys(secret, username, address)
    queries.delete_attempts(db, [keys["user_address"], keys["user"]])
