"""Each role's home page and the consent texts to read aloud."""

from datetime import timedelta

from flask import g, render_template

import clock
from access import EVERY_STAFF_ROLE, staff_required
from choices import ACTIVITIES
from db import get_db
from i18n import LANGUAGES

from ..auth.queries import all_users
from ..groups.queries import sessions_between
from ..outreach import queries as outreach
from ..pwa.offline import offline_page
from . import bp, queries


@bp.route("/")
@staff_required(EVERY_STAFF_ROLE)
@offline_page
def index():
    """Show the home page of the logged-in staff member's role."""
    db = get_db()
    role = g.user["role"]
    context = {"role": role, "activities": ACTIVITIES}
    if role == "admin":
        context["users"] = all_users(db)
        context["counts"] = queries.programme_counts(db)
    elif role == "coordinator":
        context["counts"] = queries.programme_counts(db)
        context["per_estate"] = queries.participants_per_estate(db)
        context["sessions"] = next_week(db, g.user)
    elif role == "facilitator":
        context["sessions"] = next_week(db, g.user)
    elif role == "outreach":
        context["estates"] = outreach.estates(db)
    return render_template("home/index.html", **context)


def next_week(db, user):
    """The sessions of the next 7 days that `user` may see."""
    now = clock.now()
    return sessions_between(db, now, now + timedelta(days=7), user)


@bp.route("/consent")
@staff_required()
@offline_page
def consent_texts():
    """Show the current consent text in each language, to read or read aloud."""
    texts = outreach.current_consent_texts(get_db())
    return render_template("home/consent.html", texts=[texts[code] for code in LANGUAGES if code in texts])
