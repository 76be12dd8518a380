from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from db import get_db

from . import bp, queries
from .access import staff_required
from .forms import ChangePasswordForm, LoginForm
from .sessions import delete_expired_sessions, rotate_session


def safe_next_url(target):
    """Return a local path to go to after login, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a staff member in with username and password."""
    if g.user is not None and request.method == "GET":
        return redirect(url_for("home.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    db = get_db()
    username, address = form.username.data, request.remote_addr or "unknown"
    if queries.login_blocked(db, username, address):
        form.form_errors.append(_("Too many failed attempts. Wait 15 minutes and try again."))
        return render_template("auth/login.html", form=form), 429
    user = queries.check_password(db, username, form.password.data)
    if user is None:
        queries.record_login_failure(db, username, address)
        form.form_errors.append(_("Wrong username or password."))
        return render_template("auth/login.html", form=form), 400
    queries.clear_login_failures(db, username)
    delete_expired_sessions(db)
    session.clear()
    rotate_session(session)
    session["user_id"] = user["id"]
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
    db = get_db()
    if queries.check_password(db, g.user["username"], form.current_password.data) is None:
        form.current_password.errors.append(_("The current password is wrong."))
        return render_template("auth/account.html", form=form), 400
    queries.set_password(db, g.user["id"], form.new_password.data)
    queries.record_event(db, g.user["id"], "password.change", f"user:{g.user['id']}")
    flash(_("Your password is changed."), "success")
    return redirect(url_for("auth.account"))
