"""Who is logged in, and which roles may see a view."""

import functools

from flask import abort, g, redirect, request, session, url_for

from db import get_db

from . import queries


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


def staff_required(*roles):
    """Let logged-in staff in; with roles, only those roles (others get 403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                # Back to this page after login; a form sent after the login expired goes back home.
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                login_url = url_for("auth.login", next=target)
                if request.headers.get("HX-Request"):
                    return "", 204, {"HX-Redirect": login_url}  # a whole page, not swapped into a row
                return redirect(login_url)
            if roles and g.user["role"] not in roles:
                abort(403)
            g.staff_page = True
            return view(*args, **kwargs)

        return wrapped

    return decorator
