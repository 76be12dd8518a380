from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

import clock
from access import staff_required
from db import get_db

from . import accounts, bp, queries
from .forms import ChangePasswordForm, LoginForm
from .sessions import hash_id, rotate_session


def safe_next_url(target):
    """Return a page of this app to go to after login, never another site."""
    home = url_for("home.index")
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target) or "\\" in target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return home
    try:
        current_app.url_map.bind("").match(parts.path, method="GET")
    except HTTPException:
        return home
    return target


def render_login(form, status):
    """The login form, with its errors."""
    return render_template("auth/login.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a staff member in with username and password."""
    if g.user is not None and request.method == "GET":
        return redirect(url_for("home.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_login(form, 400 if form.is_submitted() else 200)
    db, secret = get_db(), current_app.secret_key
    username, address = form.username.data, request.remote_addr or "unknown"
    if not accounts.begin_login_attempt(db, secret, username, address):
        form.form_errors.append(_("Too many failed attempts. Wait 15 minutes and try again."))
        return render_login(form, 429)
    user = accounts.check_password(db, username, form.password.data)
    if user is None:
        form.form_errors.append(_("Wrong username or password."))
        return render_login(form, 400)
    accounts.forget_login_failures(db, secret, username, address)
    session.clear()
    rotate_session(session)
    session["user_id"] = user["id"]
    session["logged_in_at"] = clock.now_iso()  # a login ends 7 days on, however busy (sessions.py)
    session["signed_in"] = True  # the next page tells the phone to forget the previous user's pages
    queries.record_event(db, user["id"], "login")
    return redirect(safe_next_url(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    """End this session on the server and go back to the login page."""
    if g.user is not None:
        queries.record_event(get_db(), g.user["id"], "logout")
    session.clear()
    rotate_session(session)
    flash(_("You are logged out."), "signed-out")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@staff_required()
def account():
    """Let a staff member change her own password."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/account.html", form=form), 400 if form.is_submitted() else 200
    db, secret = get_db(), current_app.secret_key
    username, address = g.user["username"], request.remote_addr or "unknown"
    if not accounts.begin_login_attempt(db, secret, username, address):
        form.form_errors.append(_("Too many failed attempts. Wait 15 minutes and try again."))
        return render_template("auth/account.html", form=form), 429
    if accounts.check_password(db, username, form.current_password.data) is None:
        form.current_password.errors.append(_("The current password is wrong."))
        return render_template("auth/account.html", form=form), 400
    accounts.forget_login_failures(db, secret, username, address)
    accounts.set_password(db, g.user["id"], form.new_password.data, keep_session_hash=hash_id(session.sid))
    queries.record_event(db, g.user["id"], "password.change", f"user:{g.user['id']}")
    flash(_("Your password is changed."), "success")
    return redirect(url_for("auth.account"))
