"""JSON for offline clients: reference data, the outbox, and a fresh CSRF token."""

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

import access
from choices import AVAILABILITY, CHANNELS, INTERESTS, SUBGROUPS, labelled
from db import get_db
from outbox import MAX_ITEMS, process_items

from ..checkin import queries as checkin
from ..outreach import queries as outreach
from ..outreach import signups
from ..pwa.offline import offline_kit
from . import bp


def login_required_json():
    """The answer to a phone whose login has expired: log in again, nothing was stored."""
    request.get_data()  # read a big batch to its end: answered early, a proxy may see a reset (502)
    return jsonify({"error": "login_required", "message": _("Log in again to send.")}), 401


@bp.before_request
def require_staff():
    """Every endpoint here needs a staff login."""
    g.staff_page = True
    if g.user is None or access.needs_second_factor(g.user):  # she logs in again, and sets it up then
        return login_required_json()
    if access.sees_numbers_only(g.user):  # no woman's data, not even reference lists
        return jsonify({"error": "forbidden"}), 403
    return None


@bp.get("/csrf")
def csrf_token():
    """Give the phone a CSRF token for this session (the one in a cached page may be old)."""
    return jsonify({"csrf_token": generate_csrf()})


@bp.get("/reference")
def reference():
    """Return what the offline sign-up form needs."""
    db = get_db()
    return jsonify(
        {
            "estates": [dict(row) for row in outreach.estates(db)],
            "channels": labelled(CHANNELS),
            "campaigns": [{"id": row["id"], "name": row["name"]} for row in outreach.current_campaigns(db)],
            "interests": labelled(INTERESTS),
            "subgroups": labelled(SUBGROUPS),
            "availability": labelled(AVAILABILITY),
            "consent_texts": [
                {"id": row["id"], "version": row["version"], "language": row["language"], "text": row["text"]}
                for row in outreach.current_consent_texts(db).values()
            ],
        }
    )


@bp.get("/offline-kit")
def kit():
    """The pages (every language) and files this login's phone keeps, so it works offline from the start."""
    return jsonify(offline_kit(g.user))


@bp.get("/roster")
def roster():
    """Her sessions from today for 7 days, with first names and card hashes: check-in without a connection."""
    if not access.may_use_roster(g.user):
        return jsonify({"error": "forbidden", "message": _("You do not have access to this page.")}), 403
    return jsonify({"days": checkin.ROSTER_DAYS, "sessions": checkin.roster(get_db(), g.user)})


@bp.post("/outbox")
def outbox():
    """Store the items a phone queued; answer one result per item after the commit."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: nobody's phone sends that
        body = None
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return bad_request()
    if len(items) > MAX_ITEMS:
        message = _("Send at most %(max)d items at a time.", max=MAX_ITEMS)
        return jsonify({"error": "too_many_items", "message": message}), 413
    try:
        results = process_items(get_db(), items, g.user["id"])
    except RecursionError:
        return bad_request()
    if not access.may_learn_who_signed_up(g.user):
        results = [
            signups.discreet(answer) if isinstance(item, dict) and item.get("kind") == "signup" else answer
            for item, answer in zip(items, results, strict=True)
        ]
    return jsonify({"results": results})


def bad_request():
    return jsonify({"error": "bad_request", "message": _("Send a JSON object with a list of items.")}), 400
