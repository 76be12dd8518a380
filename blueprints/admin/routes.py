from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from access import staff_required
from db import get_db

from ..auth import accounts, two_factor
from ..auth import queries as staff
from . import bp
from .forms import ROLE_LABELS, ChangeRoleForm, CreateUserForm, ResetPasswordForm


def render_users(form, status=200):
    """The accounts page with its form (and errors)."""
    users = staff.all_users(get_db())
    return render_template("admin/users.html", form=form, users=users, role_labels=ROLE_LABELS), status


@bp.route("/users", methods=["GET", "POST"])
@staff_required("admin")
def users():
    """List staff accounts and add a new one."""
    form = CreateUserForm()
    if not form.validate_on_submit():
        return render_users(form, 400 if form.is_submitted() else 200)
    try:
        accounts.create_user(
            get_db(),
            form.username.data,
            form.role.data,
            form.password.data,
            form.display_name.data or "",
            by_user_id=g.user["id"],
        )
    except accounts.UsernameTaken:
        form.username.errors.append(_("That username is taken."))
        return render_users(form, 400)
    flash(_("The account %(username)s is created.", username=form.username.data), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/active", methods=["POST"])
@staff_required("admin")
def set_user_active(user_id):
    """Enable or disable an account; with htmx, answer with the updated row only."""
    db = get_db()
    user = staff.user_by_id(db, user_id)
    if user is None:
        abort(404)
    active = request.form.get("active") == "1"
    if user["id"] == g.user["id"] and not active:
        abort(409)
    accounts.set_active(db, user_id, active, g.user["id"])
    user = staff.user_by_id(db, user_id)
    if request.headers.get("HX-Request"):
        return render_template("admin/_user_row.html", user=user, role_labels=ROLE_LABELS)
    return redirect(url_for("admin.users"))


def user_or_404(user_id):
    """Return a staff account, or stop with 404."""
    user = staff.user_by_id(get_db(), user_id)
    if user is None:
        abort(404)
    return user


def render_user(user, password_form=None, role_form=None, status=200):
    """One account's page: a new password, another role; each form with its errors."""
    role_form = role_form or ChangeRoleForm(formdata=None, prefix="role", data={"role": user["role"]})
    return render_template(
        "admin/user.html",
        user=user,
        password_form=password_form or ResetPasswordForm(formdata=None, prefix="password"),
        role_form=role_form,
        role_labels=ROLE_LABELS,
    ), status


@bp.route("/users/<id:user_id>")
@staff_required("admin")
def user(user_id):
    """One staff account: give her a new password or another role."""
    return render_user(user_or_404(user_id))


@bp.route("/users/<id:user_id>/password", methods=["POST"])
@staff_required("admin")
def reset_password(user_id):
    """Give a colleague who forgot her password a new one; she is logged out everywhere."""
    user = user_or_404(user_id)
    form = ResetPasswordForm(prefix="password")
    form.password_owner = user["username"]
    if not form.validate_on_submit():
        return render_user(user, password_form=form, status=400)
    accounts.reset_password(get_db(), user_id, form.password.data, g.user["id"])
    flash(
        _(
            "%(username)s has a new password and is logged out everywhere. Give it to her in private.",
            username=user["username"],
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<id:user_id>/two-factor", methods=["POST"])
@staff_required("admin")
def reset_two_factor(user_id):
    """Remove a colleague's second factor (a lost phone and no recovery codes): she is logged out
    everywhere and sets it up again at her next login."""
    user = user_or_404(user_id)
    if user["id"] == g.user["id"]:
        abort(409)  # her own: on her account page, with her password
    two_factor.turn_off(get_db(), user_id, g.user["id"])
    flash(
        _(
            "%(username)s's second factor is removed and she is logged out everywhere."
            " She sets it up again at her next login.",
            username=user["username"],
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<id:user_id>/role", methods=["POST"])
@staff_required("admin")
def change_role(user_id):
    """Give a staff account another role (not your own: you would lose this page)."""
    user = user_or_404(user_id)
    form = ChangeRoleForm(prefix="role")
    if not form.validate_on_submit():
        return render_user(user, role_form=form, status=400)
    if user["id"] == g.user["id"]:
        form.role.errors.append(_("You cannot change your own role. Ask another administrator."))
        return render_user(user, role_form=form, status=400)
    try:
        accounts.change_role(get_db(), user_id, form.role.data, g.user["id"])
    except accounts.LastAdministrator:
        form.role.errors.append(_("The programme needs at least one active administrator."))
        return render_user(user, role_form=form, status=400)
    message = _("%(username)s is now: %(role)s.", username=user["username"], role=ROLE_LABELS[form.role.data])
    flash(message, "success")
    return redirect(url_for("admin.user", user_id=user_id))
