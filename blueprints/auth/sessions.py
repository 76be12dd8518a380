"""Server-side sessions: the cookie carries a random id, SQLite keeps the data.

Flask's default signed-cookie session would keep working after logout if someone
copied it; here logout, a disabled account or an expiry deletes the row and the
old cookie is worth nothing.

A visitor who belongs to nobody yet (the login page's form token, a "you are logged out" message) gets
a signed cookie instead and no row: looking at the login page writes nothing to the database.
"""

import json
import logging
import secrets
import sqlite3
from datetime import datetime, timedelta

from flask import g, session
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

import clock
import keys
from db import get_db
from tokens import new_token, sha256_hex

from . import queries

# Refresh a session's expiry at most this often, to spare a write per request.
TOUCH_INTERVAL = timedelta(minutes=5)
# A login ends this long after it began, however often it was used (besides the 12 hours without use).
ABSOLUTE_LIFETIME = timedelta(days=7)
# Keys that make a session someone's (logged in, or half-way: password given, second factor to come):
# only such a session is kept in the database.
OWNED_BY = ("user_id", "pending_user_id")
ANONYMOUS_SALT = "anonymous-session"

logger = logging.getLogger(__name__)


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, sid=None):
        def on_update(_self):
            _self.modified = True
            _self.changed = True  # its data, not only its last-seen time

        super().__init__(initial, on_update)
        self.sid = sid
        self.modified = False
        self.changed = False
        self.rotate = False


def hash_id(sid):
    """Return what the table keeps of a session id: its SHA-256."""
    return sha256_hex(sid)


def load_logged_in_user():
    """Put the logged-in, still active user in g.user (or None)."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is None:
        return
    user = queries.user_by_id(get_db(), user_id)
    if user is None or not user["active"]:
        session.clear()
        return
    g.user = user


def rotate_session(session):
    """Give the session a new id (after login), so an id seen before login is worthless."""
    session.rotate = True
    session.modified = session.changed = True


def is_owned(session):
    """True when the session is someone's, so it is kept in the database."""
    return any(key in session for key in OWNED_BY)


def is_signed_cookie(value):
    """An anonymous session's signed cookie has dots; a stored session's id (token_urlsafe) never does."""
    return "." in value


class SqliteSessionInterface(SessionInterface):
    def open_session(self, app, request):
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid:
            return ServerSession()
        if is_signed_cookie(sid):
            return self.open_anonymous(app, sid)
        row = (
            get_db()
            .execute(
                "SELECT data, expires_at, touched_at FROM staff_sessions WHERE id_hash = ?",
                [hash_id(sid)],
            )
            .fetchone()
        )
        if row is None or datetime.fromisoformat(row["expires_at"]) < clock.now():
            return ServerSession()
        data = json.loads(row["data"])
        if (
            "logged_in_at" in data
            and clock.now() - datetime.fromisoformat(data["logged_in_at"]) > ABSOLUTE_LIFETIME
        ):
            return ServerSession(sid=sid)  # empty: saved as such, its row is deleted and the cookie with it
        session = ServerSession(data, sid=sid)
        if clock.now() - datetime.fromisoformat(row["touched_at"]) > TOUCH_INTERVAL:
            session.modified = True
        return session

    def open_anonymous(self, app, value):
        """An anonymous visitor's session from its signed cookie (none if forged or too old)."""
        try:
            data = keys.serializer(ANONYMOUS_SALT).loads(
                value, max_age=app.permanent_session_lifetime.total_seconds()
            )
        except Exception:  # itsdangerous's BadData, or a cookie that is not even base64
            return ServerSession()
        data = data if isinstance(data, dict) else {}
        for key in (*OWNED_BY, "logged_in_at"):  # never made anonymous, never taken from a cookie
            data.pop(key, None)
        session = ServerSession(data)
        session.from_cookie = True
        return session

    def save_session(self, app, session, response):
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        db = get_db()
        if not is_owned(session):
            if session.sid:  # logged out (or expired): the row goes, whatever the cookie holds next
                db.execute("DELETE FROM staff_sessions WHERE id_hash = ?", [hash_id(session.sid)])
            if not session:
                if session.sid or getattr(session, "from_cookie", False):
                    response.delete_cookie(name, domain=domain, path=path)
                return
            if session.modified or session.sid:
                value = keys.serializer(ANONYMOUS_SALT).dumps(dict(session))
                self.set_cookie(app, response, value, clock.now() + app.permanent_session_lifetime)
            return
        if not session.modified:
            return
        if session.rotate and session.sid:
            db.execute("DELETE FROM staff_sessions WHERE id_hash = ?", [hash_id(session.sid)])
            session.sid = None
        expires = clock.now() + app.permanent_session_lifetime
        values = [
            # Whose it is, also half-way through a login: ending her sessions ends that one too.
            session.get("user_id") or session.get("pending_user_id"),
            json.dumps(dict(session)),
            expires.isoformat(),
            clock.now().isoformat(),
        ]
        if session.sid:
            # Only ever update: a row deleted meanwhile (logout elsewhere, account disabled)
            # must stay deleted, not come back from a request that was still running.
            try:
                updated = db.execute(
                    "UPDATE staff_sessions SET user_id = ?, data = ?, expires_at = ?, touched_at = ?"
                    " WHERE id_hash = ?",
                    [*values, hash_id(session.sid)],
                ).rowcount
            except sqlite3.OperationalError as error:
                if session.changed:
                    raise
                # Only its last-seen time was due: a busy or full database must not fail the page.
                logger.warning("a session's last-seen time was not written: %s", error)
                return
            if not updated:
                response.delete_cookie(name, domain=domain, path=path)
                return
        else:
            session.sid = new_token(32)
            db.execute(
                "INSERT INTO staff_sessions (user_id, data, expires_at, touched_at, id_hash)"
                " VALUES (?, ?, ?, ?, ?)",
                [*values, hash_id(session.sid)],
            )
            if secrets.randbelow(100) == 0:  # now and then, sweep away expired sessions
                delete_expired_sessions(db)
        self.set_cookie(app, response, session.sid, expires)

    def set_cookie(self, app, response, value, expires):
        response.set_cookie(
            self.get_cookie_name(app),
            value,
            expires=expires,
            httponly=True,
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
        )


def delete_expired_sessions(db):
    """Delete the sessions past their expiry."""
    db.execute("DELETE FROM staff_sessions WHERE expires_at < ?", [clock.now().isoformat()])
