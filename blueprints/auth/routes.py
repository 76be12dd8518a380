from datetime import datetime, timedelta
from math import ceil
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import HTTPException

import clock
from access import EVERY_STAFF_ROLE, second_factor_required, staff_required
from db import get_db
from qr import qr_svg

from . import accounts, bp, devices, queries, two_factor
from .accounts import allow_attempt, forget_attempts
from .forms import ChangePasswordForm, CodeForm, ConfirmPasswordForm, LoginForm, SetUpCodeForm
from .sessions import hash_id, rotate_session

# The second factor must follow the password within this time.
PENDING_LIFETIME = timedelta(minutes=10)


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


def too_many_attempts_message(wait):
    """Why a login is refused for now, and for how long."""
    if wait.total_seconds() <= 90:
        return _(
            "Many wrong passwords have been tried for this username. Wait %(seconds)d seconds and try again."
            " On a phone or computer where you logged in before, you need not wait.",
            seconds=max(1, ceil(wait.total_seconds())),
        )
    return _("Too many failed attempts. Wait 15 minutes and try again.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a staff member in: username and password, then her second factor if she has one."""
    if g.user is not None and request.method == "GET":
        return redirect(url_for("home.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_login(form, 400 if form.is_submitted() else 200)
    db, secret = get_db(), current_app.secret_key
    username, address = form.username.data, request.remote_addr or "unknown"
    device = devices.known_device(request, queries.user_by_username(db, username))
    try:
        accounts.begin_login_attempt(db, secret, username, address, device)
    except accounts.TooManyAttempts as refused:
        form.form_errors.append(too_many_attempts_message(refused.wait))
        return render_login(form, 429)
    user = accounts.check_password(db, username, form.password.data)
    if user is None:
        form.form_errors.append(_("Wrong username or password."))
        return render_login(form, 400)
    accounts.forget_login_failures(db, secret, username, address, device)
    next_url = safe_next_url(request.args.get("next"))
    if two_factor.is_enabled(user) or second_factor_required(user):
        session.clear()
        rotate_session(session)
        session["pending_user_id"] = user["id"]
        session["pending_since"] = clock.now_iso()
        session["pending_password"] = devices.fingerprint(user)  # a password reset meanwhile ends it
        session["pending_next"] = next_url
        if two_factor.is_enabled(user):
            return redirect(url_for("auth.login_code"))
        return redirect(url_for("auth.two_factor_setup"))
    return finish_login(user, next_url)


def start_session(user):
    """The whole login is done: a new session for her (a new id: one seen before is worthless)."""
    session.clear()
    rotate_session(session)
    session["user_id"] = user["id"]
    session["logged_in_at"] = clock.now_iso()  # a login ends 7 days on, however busy (sessions.py)
    session["signed_in"] = True  # the next page tells the phone to forget the previous user's pages
    queries.record_event(get_db(), user["id"], "login")


def finish_login(user, next_url):
    """Log her in and go on to `next_url`; this device is known for her from now on."""
    start_session(user)
    response = redirect(next_url)
    devices.remember(request, response, user)
    return response


def pending_user():
    """The account whose password was just given and whose second factor is awaited, or None (also when
    that was more than PENDING_LIFETIME ago)."""
    user_id, since = session.get("pending_user_id"), session.get("pending_since")
    if user_id is None or since is None or clock.now() - datetime.fromisoformat(since) > PENDING_LIFETIME:
        return None
    user = queries.user_by_id(get_db(), user_id)
    if user is None or not user["active"] or session.get("pending_password") != devices.fingerprint(user):
        return None
    return user


def login_again():
    """Back to the login page: the half-done login is over."""
    session.clear()
    flash(_("Log in again: the first step was too long ago."), "error")
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of a login: the code from her app, or a recovery code."""
    if g.user is not None:
        return redirect(url_for("home.index"))
    user = pending_user()
    if user is None or not two_factor.is_enabled(user):
        return login_again()
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form), 400 if form.is_submitted() else 200
    db, secret = get_db(), current_app.secret_key
    if not allow_attempt(db, secret, "two_factor", str(user["id"]), two_factor.CODES_PER_WINDOW):
        form.form_errors.append(_("Too many wrong codes. Wait 15 minutes and try again."))
        return render_template("auth/code.html", form=form), 429
    how = two_factor.check_code(db, user["id"], form.code.data)
    if how is None:
        form.code.errors.append(
            _("That code is wrong or already used. Wait for the next code and try again.")
        )
        return render_template("auth/code.html", form=form), 400
    forget_attempts(db, secret, "two_factor", str(user["id"]))
    response = finish_login(user, session.get("pending_next") or url_for("home.index"))
    if how == "recovery":  # after the login: it starts a new session, without the half-done one's messages
        left = two_factor.recovery_codes_left(db, user["id"])
        flash(
            ngettext(
                "You used a recovery code. You have %(num)d left: make new ones on your account page.",
                "You used a recovery code. You have %(num)d left: make new ones on your account page.",
                left,
            ),
            "warning",
        )
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    """End this session on the server and go back to the login page."""
    if g.user is not None:
        queries.record_event(get_db(), g.user["id"], "logout")
    session.clear()
    rotate_session(session)
    flash(_("You are logged out."), "signed-out")
    return redirect(url_for("auth.login"))


def render_account(form=None, status=200, confirm_form=None):
    """Her account page: the password form and her second factor."""
    return render_template(
        "auth/account.html",
        form=form or ChangePasswordForm(formdata=None),
        confirm_form=confirm_form or ConfirmPasswordForm(formdata=None, prefix="confirm"),
        two_factor_on=two_factor.is_enabled(g.user),
        two_factor_required=second_factor_required(g.user),
        recovery_codes_left=two_factor.recovery_codes_left(get_db(), g.user["id"]),
    ), status


@bp.route("/account", methods=["GET", "POST"])
@staff_required(EVERY_STAFF_ROLE)
def account():
    """Let a staff member change her own password."""
    form = ChangePasswordForm()
    form.password_owner = g.user["username"]
    if not form.validate_on_submit():
        return render_account(form, 400 if form.is_submitted() else 200)
    if (refused := check_own_password(form, form.current_password, "form")) is not None:
        return refused
    db = get_db()
    accounts.set_password(db, g.user["id"], form.new_password.data, keep_session_hash=hash_id(session.sid))
    queries.record_event(db, g.user["id"], "password.change", f"user:{g.user['id']}")
    flash(_("Your password is changed."), "success")
    response = redirect(url_for("auth.account"))
    devices.remember(
        request, response, queries.user_by_id(db, g.user["id"])
    )  # her new password's fingerprint
    return response


def check_own_password(form, field, form_name):
    """Check her own password, under the login limits; return the account page with the error shown in
    `form` (passed to the page as `form_name`), or None if right."""
    if own_password_in(form, field):
        return None
    return render_account(status=429 if form.form_errors else 400, **{form_name: form})


def own_password_in(form, field):
    """Check her password typed into `field` under the login limits; False with the error in the form."""
    db, secret = get_db(), current_app.secret_key
    username, address = g.user["username"], request.remote_addr or "unknown"
    device = devices.known_device(request, g.user)
    try:
        accounts.begin_login_attempt(db, secret, username, address, device)
    except accounts.TooManyAttempts as refused:
        form.form_errors.append(too_many_attempts_message(refused.wait))
        return False
    if accounts.check_password(db, username, field.data or "") is None:
        field.errors.append(_("The password is wrong."))
        return False
    accounts.forget_login_failures(db, secret, username, address, device)
    return True


def setting_up_user():
    """Who is setting up a second factor: the logged-in user, or one half-way through a login whose role
    requires it (she gets nothing else before it is done). None: nobody."""
    if g.user is not None:
        return g.user, False
    user = pending_user()
    return (user, True) if user is not None else (None, False)


@bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor_setup():
    """Set up the second factor: scan the QR code (or type the key), then give the first code."""
    user, during_login = setting_up_user()
    if user is None:
        return redirect(url_for("auth.login", next=url_for("auth.two_factor_setup")))
    if two_factor.is_enabled(user):  # changed only by turning it off first (with her password)
        return redirect(url_for("auth.login_code" if during_login else "auth.account"))
    form = SetUpCodeForm()
    secret = two_factor.draft_secret(session)
    if not form.validate_on_submit():
        return render_setup(user, secret, form, during_login, 400 if form.is_submitted() else 200)
    db = get_db()
    if not during_login and not own_password_in(form, form.password):
        return render_setup(user, secret, form, during_login, 429 if form.form_errors else 400)
    if not allow_attempt(
        db, current_app.secret_key, "two_factor", str(user["id"]), two_factor.CODES_PER_WINDOW
    ):
        form.form_errors.append(_("Too many wrong codes. Wait 15 minutes and try again."))
        return render_setup(user, secret, form, during_login, 429)
    codes = two_factor.enable(db, user["id"], secret, form.code.data)
    if codes is None:
        form.code.errors.append(
            _("That code does not match. Check that your phone's clock is right, and type the newest code.")
        )
        return render_setup(user, secret, form, during_login, 400)
    forget_attempts(db, current_app.secret_key, "two_factor", str(user["id"]))
    session.pop("totp_draft", None)
    next_url = (session.get("pending_next") if during_login else None) or url_for("home.index")
    response = make_response(
        render_template("auth/recovery_codes.html", codes=codes, next_url=next_url, first=True)
    )
    if during_login:
        user = queries.user_by_id(db, user["id"])
        start_session(user)
        devices.remember(request, response, user)
    else:  # whoever else holds a session of hers must now log in with the new factor
        queries.end_sessions(db, user["id"], except_hash=hash_id(session.sid))
    return response


def render_setup(user, secret, form, during_login, status):
    """The set-up page: the QR code, the key as text, and the form for the first code."""
    uri = two_factor.provisioning_uri(secret, user["username"])
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr=qr_svg(uri),
        secret=two_factor.printed_secret(secret),
        during_login=during_login,
        required=second_factor_required(user),
    ), status


@bp.route("/account/recovery-codes", methods=["POST"])
@staff_required(EVERY_STAFF_ROLE)
def new_recovery_codes():
    """Ten new recovery codes (after her password); the old ones stop working."""
    form = ConfirmPasswordForm(prefix="confirm")
    if not form.validate_on_submit():
        return render_account(status=400, confirm_form=form)
    if not two_factor.is_enabled(g.user):
        abort(409)
    if (refused := check_own_password(form, form.password, "confirm_form")) is not None:
        return refused
    codes = two_factor.replace_recovery_codes(get_db(), g.user["id"])
    return render_template(
        "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account"), first=False
    )


@bp.route("/account/two-factor/off", methods=["POST"])
@staff_required(EVERY_STAFF_ROLE)
def two_factor_off():
    """Turn her own second factor off (after her password): not allowed where her role requires it."""
    form = ConfirmPasswordForm(prefix="confirm")
    if not form.validate_on_submit():
        return render_account(status=400, confirm_form=form)
    if second_factor_required(g.user) or not two_factor.is_enabled(g.user):
        abort(409)
    if (refused := check_own_password(form, form.password, "confirm_form")) is not None:
        return refused
    two_factor.turn_off(get_db(), g.user["id"], g.user["id"])
    flash(_("The second factor is off. You log in with your password only."), "success")
    return redirect(url_for("auth.account"))
