from flask import g, render_template

from db import get_db
from i18n import LANGUAGES

from ..auth.access import staff_required
from ..auth.queries import all_users
from ..outreach import queries as outreach
from ..pwa.offline import offline_page
from . import bp, queries
from .labels import ACTIVITIES


@bp.route("/")
@staff_required()
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
        context["sessions"] = queries.upcoming_sessions(db)
    elif role == "facilitator":
        context["sessions"] = queries.upcoming_sessions(db, facilitator_id=g.user["id"])
    else:
        context["estates"] = outreach.estates(db)
    return render_template("home/index.html", **context)


@bp.route("/consent")
@staff_required()
@offline_page
def consent_texts():
    """Show the current consent text in each language, to read or read aloud."""
    texts = outreach.current_consent_texts(get_db())
    return render_template("home/consent.html", texts=[texts[code] for code in LANGUAGES if code in texts])
