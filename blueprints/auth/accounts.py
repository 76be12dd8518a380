"""Staff accounts and the login rate limit: the rules, each in its own transaction (SQL in queries.py)."""

import hashlib
import hmac
import sqlite3
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from zxcvbn import zxcvbn

import clock
from db import transaction

from . import queries

ROLES = ("admin", "coordinator", "job_consultant", "facilitator", "outreach", "steering_group")
MIN_PASSWORD_LENGTH = 10
# The login limits. Hard limits, per window: 5 failures for one name from one address (or from one known
# device), and 100 from one address (an office behind one address has many staff). Failures for one
# name from everywhere else never block her: from a device she has not logged in on, each attempt after
# the 10th waits a growing delay (2, 4, 8 … seconds, at most a minute); from a known device, none.
FAILURES_PER_NAME_AND_PLACE = 5
FAILURES_PER_ADDRESS = 100
NAME_FAILURES_BEFORE_DELAY = 10
LONGEST_NAME_DELAY = timedelta(minutes=1)
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


def _attempt_keys(secret, username, address, device):
    """Keys for the counts (HMAC: no names in clear): per name and place (the address, or a known device),
    per name, per address."""
    place = f"device:{device}" if device else f"address:{address}"
    return {
        "user_place": _attempt_key(secret, "user_place", f"{username}|{place}"),
        "user": _attempt_key(secret, "user", username),
        "address": _attempt_key(secret, "address", address),
    }


def name_delay(failures):
    """How long an attempt for a name must wait after the last one, given its failures in the window."""
    if failures < NAME_FAILURES_BEFORE_DELAY:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - NAME_FAILURES_BEFORE_DELAY + 1)), LONGEST_NAME_DELAY)


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


class TooManyAttempts(Exception):
    """A login attempt refused by the limits; `wait` is how long before the next may be tried."""

    def __init__(self, wait):
        super().__init__(wait)
        self.wait = wait


def begin_login_attempt(db, secret, username, address, known_device=None):
    """Count this attempt as a failure before the password is checked; raise TooManyAttempts if refused.

    Counting first, in one write transaction, means parallel guesses cannot all slip under the limit while
    the slow password check runs. `known_device`: her device's id when it carries her known-device cookie.
    """
    keys = _attempt_keys(secret, username, address, known_device)
    since = window_start()
    with transaction(db):
        if queries.attempts_since(db, keys["user_place"], since) >= FAILURES_PER_NAME_AND_PLACE:
            raise TooManyAttempts(FAILURE_WINDOW)
        if known_device is None:
            if queries.attempts_since(db, keys["address"], since) >= FAILURES_PER_ADDRESS:
                raise TooManyAttempts(FAILURE_WINDOW)
            delay = name_delay(queries.attempts_since(db, keys["user"], since))
            last = queries.last_attempt_at(db, keys["user"])
            if delay and last and (wait := datetime.fromisoformat(last) + delay - clock.now()) > timedelta(0):
                raise TooManyAttempts(wait)
            counted = keys.values()
        else:
            counted = [keys["user_place"]]
        for key in counted:
            queries.add_attempt(db, key)
        queries.delete_attempts_before(db, since)


def forget_login_failures(db, secret, username, address, known_device=None):
    """After a successful login: this attempt was no failure after all, and her failures from this place
    no longer count (those for her name from elsewhere still do: they may be someone else's)."""
    keys = _attempt_keys(secret, username, address, known_device)
    with transaction(db):
        queries.delete_attempts(db, [keys["user_place"]])
        if known_device is None:  # counted under these too (begin_login_attempt)
            for kind in ("user", "address"):
                queries.delete_latest_attempt(db, keys[kind])


def refused_password_reason(password, username):
    """Why a new password is refused (a translated sentence), or None: common ones, the username, repeats
    and sequences, and anything else guessed in under a million tries."""
    if username and username.lower() in password.lower():
        return _("The password may not contain the username.")
    # zxcvbn's time grows with the length: the first 64 characters say enough.
    result = zxcvbn(password[:64], user_inputs=[username] if username else [])
    if result["score"] >= 2:
        return None
    patterns = {match["pattern"] for match in result["sequence"]}
    if patterns & {"repeat", "sequence", "spatial"}:
        return _(
            "Repeated characters, keyboard rows or runs like 1234 are easy to guess. Choose another password."
        )
    if "dictionary" in patterns:
        return _(
            "This password is among the most used ones. Choose another: a few words you remember are good."
        )
    return _("This password is easy to guess. Choose a longer one: a few words you remember are good.")


def forget_attempts(db, secret, kind, source):
    """Forget the attempts of a kind from a source (after a success: her typos no longer count)."""
    queries.delete_attempts(db, [_attempt_key(secret, kind, source)])
