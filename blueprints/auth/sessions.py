"""Server-side sessions: the cookie carries a random id, SQLite keeps the data.

Flask's default signed-cookie session would keep working after logout if someone
copied it; here logout, a disabled account or an expiry deletes the row and the
old cookie is worth nothing.
"""

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta

from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from db import get_db

# Refresh a session's expiry at most this often, to spare a write per request.
TOUCH_INTERVAL = timedelta(minutes=5)


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, sid=None):
        def on_update(_self):
            _self.modified = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.modified = False
        self.rotate = False


def hash_id(sid):
    return hashlib.sha256(sid.encode()).hexdigest()


def now():
    return datetime.now(UTC)


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
        if row is None or datetime.fromisoformat(row["expires_at"]) < now():
            return ServerSession()
        session = ServerSession(json.loads(row["data"]), sid=sid)
        if now() - datetime.fromisoformat(row["touched_at"]) > TOUCH_INTERVAL:
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
        if not session.sid:
            session.sid = secrets.token_urlsafe(32)
        expires = now() + app.permanent_session_lifetime
        db.execute(
            "INSERT INTO staff_sessions (id_hash, user_id, data, expires_at, touched_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id_hash) DO UPDATE SET user_id = excluded.user_id,"
            " data = excluded.data, expires_at = excluded.expires_at, touched_at = excluded.touched_at",
            [
                hash_id(session.sid),
                session.get("user_id"),
                json.dumps(dict(session)),
                expires.isoformat(),
                now().isoformat(),
            ],
        )
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
    db.execute("DELETE FROM staff_sessions WHERE expires_at < ?", [now().isoformat()])
