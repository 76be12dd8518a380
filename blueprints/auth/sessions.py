"""Server-side sessions: the cookie carries a random id, SQLite keeps the data.

Flask's default signed-cookie session would keep working after logout if someone
copied it; here logout, a disabled account or an expiry deletes the row and the
old cookie is worth nothing.
"""

import json
import secrets
from datetime import datetime, timedelta

from flask import g, session
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

import clock
from db import get_db
from tokens import new_token, sha256_hex

from . import queries

# Refresh a session's expiry at most this often, to spare a write per request.
TOUCH_INTERVAL = timedelta(minutes=5)
# A login ends this long after it began, however often it was used (besides the 12 hours without use).
ABSOLUTE_LIFETIME = timedelta(days=7)


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, sid=None):
        def on_update(_self):
            _self.modified = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.modified = False
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
    session.modified = True


class SqliteSessionInterface(SessionInterface):
    def open_session(self, app, request):
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid:
            return ServerSession()
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

    def save_session(self, app, session, response):
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        db = get_db()
        if not session:
            if session.sid:
                db.execute("DELETE FROM staff_sessions WHERE id_hash = ?", [hash_id(session.sid)])
                response.delete_cookie(name, domain=domain, path=path)
            return
        if not session.modified:
            return
        if session.rotate and session.sid:
            db.execute("DELETE FROM staff_sessions WHERE id_hash = ?", [hash_id(session.sid)])
            session.sid = None
        expires = clock.now() + app.permanent_session_lifetime
        values = [
            session.get("user_id"),
            json.dumps(dict(session)),
            expires.isoformat(),
            clock.now().isoformat(),
        ]
        if session.sid:
            # Only ever update: a row deleted meanwhile (logout elsewhere, account disabled)
            # must stay deleted, not come back from a request that was still running.
            updated = db.execute(
                "UPDATE staff_sessions SET user_id = ?, data = ?, expires_at = ?, touched_at = ?"
                " WHERE id_hash = ?",
                [*values, hash_id(session.sid)],
            ).rowcount
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
        response.set_cookie(
            name,
            session.sid,
            expires=expires,
            httponly=True,
            domain=domain,
            path=path,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
        )


def delete_expired_sessions(db):
    """Delete the sessions past their expiry."""
    db.execute("DELETE FROM staff_sessions WHERE expires_at < ?", [clock.now().isoformat()])
