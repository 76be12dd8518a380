from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from access import staff_required
from db import get_db

from ..auth import accounts
from ..auth import queries as staff
from . import bp
from .forms import ROLE_LABELS, CreateUserForm


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
