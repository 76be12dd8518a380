import uuid
from datetime import UTC, datetime

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from db import get_db
from i18n import current_language

from ..api.outbox import process_items
from ..auth.access import staff_required
from ..pwa.offline import offline_page
from . import bp, queries
from .choices import AVAILABILITY, CHANNELS, INTERESTS, SUBGROUPS

LIST_FIELDS = ("interests", "availability")


def form_data(form):
    """Read the posted form into the same shape as an outbox item's data."""
    data = {key: form.get(key, "") for key in form if key not in LIST_FIELDS}
    for key in LIST_FIELDS:
        data[key] = form.getlist(key)
    data["childcare"] = form.get("childcare", "0")
    data["language"] = current_language()
    return data


def render_signup(data=None, errors=None, status=200):
    db = get_db()
    data = data or {"signup_id": str(uuid.uuid4()), "channel": "door_to_door", "childcare": "0"}
    context = {
        "data": data,
        "errors": errors or {},
        "estates": queries.estates(db),
        "campaigns": queries.current_campaigns(db),
        "consent": queries.current_consent_texts(db).get(current_language()),
        "channels": CHANNELS,
        "subgroups": SUBGROUPS,
        "interests": INTERESTS,
        "availability": AVAILABILITY,
    }
    return render_template("outreach/signup.html", **context), status


@bp.route("/signup", methods=["GET"])
@staff_required()
@offline_page
def signup():
    """Show the sign-up form; it works offline, where the outbox keeps what is saved."""
    return render_signup()


@bp.route("/signup", methods=["POST"])
@staff_required()
def signup_post():
    """Register a woman from the form without JavaScript, through the same rules as the outbox."""
    data = form_data(request.form)
    signup_id = data.get("signup_id", "")
    item = {
        "id": signup_id,
        "kind": "signup",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": data,
    }
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return render_signup(data, {"csrf_token": _("This form has expired. Send it again.")}, 400)
    db = get_db()
    if queries.find_signup(db, signup_id) is not None:  # the same form sent twice
        flash(_("This sign-up was already saved."), "success")
        return redirect(url_for("outreach.signup"))
    (answer,) = process_items(db, [item], g.user["id"])
    if answer["status"] != "ok":
        if "id" in answer["errors"]:
            data["signup_id"] = str(uuid.uuid4())
        return render_signup(data, answer["errors"], 400)
    if answer["reason"] == "merged":
        flash(
            _("She was already registered with this phone number: the sign-up is added to her record."),
            "success",
        )
    else:
        flash(_("Saved. She is registered."), "success")
    return redirect(url_for("outreach.signup"))
