"""The outbox contract: items made on a phone, sent once or many times, stored exactly once."""

import hashlib
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from db import transaction

from ..auth.queries import user_by_id
from ..checkin import queries as checkin
from ..outreach import queries as outreach
from ..outreach.validation import CARD_CODE, as_id, as_text, card_hash, clean_signup

MAX_ITEMS = 1000
OLDEST_ITEM = timedelta(days=365)  # a phone forgotten in a drawer for a year still delivers
CLOCK_SKEW = timedelta(days=1)  # phones with a wrong clock
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def content_hash(item):
    """Hash what the phone made, so the same id with other content is told apart."""
    content = {"kind": item.get("kind"), "recorded_at": item.get("recorded_at"), "data": item.get("data")}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def result(item_id, status, reason="", errors=None, **extra):
    return {"id": item_id, "status": status, "reason": reason, "errors": errors or {}, **extra}


def shape_errors(item):
    """Check the envelope of an item; return {field: message}."""
    if not isinstance(item, dict):
        return {"item": _("This item is damaged.")}
    errors = {}
    if not isinstance(item.get("id"), str) or not UUID4.match(item["id"]):
        errors["id"] = _("This item has no valid id.")
    if not isinstance(item.get("kind"), str) or item["kind"] not in KINDS:
        errors["kind"] = _("This kind of item is unknown.")
    if recorded_time(item.get("recorded_at")) is None:
        errors["recorded_at"] = _("This item has no valid time.")
    return errors


def recorded_time(value):
    """Return the time an item was made, in UTC, if it is plausible: with an offset, not in the future."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.utcoffset() is None:
        return None
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        return None
    now = datetime.now(UTC)
    if not now - OLDEST_ITEM <= moment <= now + CLOCK_SKEW:
        return None
    return moment


def process_items(db, items, user_id):
    """Store a batch in one durable transaction; return one result per item, in order."""
    with transaction(db):
        return [process_item(db, item, user_id) for item in items]


def process_item(db, item, user_id):
    item_id = item.get("id") if isinstance(item, dict) else None
    errors = shape_errors(item)
    if errors:
        return result(item_id if isinstance(item_id, str) else None, "invalid", "malformed", errors)
    # A savepoint per item: one item the database refuses must not undo the others.
    db.conn.execute("SAVEPOINT item")
    try:
        answer = KINDS[item["kind"]](db, item, user_id)
    except (sqlite3.Error, ValueError, TypeError, UnicodeError):
        db.conn.execute("ROLLBACK TO item")
        current_app.logger.exception("outbox item %s not stored", item_id)  # the id only, never the data
        answer = result(item_id, "invalid", "not_stored", {"item": _("This item could not be stored.")})
    db.conn.execute("RELEASE item")
    return answer


def process_signup(db, item, user_id):
    item_id, digest = item["id"], content_hash(item)
    if outreach.is_erased(db, item_id):
        return result(item_id, "gone", "erased")
    stored = outreach.find_signup(db, item_id)
    if stored is not None:
        if stored["content_hash"] == digest:
            return result(item_id, "duplicate", "already_stored", participant_id=stored["participant_id"])
        return result(item_id, "conflict", "same_id_other_content", participant_id=stored["participant_id"])
    clean, errors = clean_signup(db, item.get("data"))
    if errors:
        return result(item_id, "invalid", "field_errors", errors)
    if card_taken(db, clean):
        errors = {"card_code": _("This card belongs to someone else. Give her another card.")}
        return result(item_id, "invalid", "card_taken", errors)
    participant_id, merged = outreach.store_signup(
        db, item_id, digest, clean, normalised_time(item["recorded_at"]), user_id
    )
    return result(item_id, "ok", "merged" if merged else "", participant_id=participant_id)


def card_taken(db, clean):
    if not clean["card_hash"]:
        return False
    owner = outreach.card_owner(db, clean["card_hash"])
    if owner is None:
        return False
    same_woman = outreach.participant_by_phone(db, clean["phone"])
    return not (same_woman and same_woman["id"] == owner)


def normalised_time(value):
    return recorded_time(value).isoformat(timespec="seconds")


CHECKIN_METHODS = ("qr", "manual", "walk_in")
# Why a check-in is refused; the phone shows these in its own language.
CHECKIN_REFUSALS = {
    "session_unknown": ("session_id", _l("This session does not exist.")),
    "session_not_yours": ("session_id", _l("This session is not one of your groups'.")),
    "session_cancelled": ("session_id", _l("This session is cancelled.")),
    "card_unknown": ("card_code", _l("This card is not known.")),
    "card_replaced": ("card_code", _l("This card was replaced by a new one and no longer works.")),
    "participant_unknown": ("participant_id", _l("This woman is not known.")),
    "participant_not_in_group": (
        "participant_id",
        _l("This woman is not in this group: scan her card instead."),
    ),
}


def clean_checkin(data):
    """Check a check-in's fields: a session, a card code or a woman's id, and when it was scanned."""
    if not isinstance(data, dict):
        return None, {"data": _("This item is damaged.")}
    errors, clean = {}, {"session_id": as_id(data.get("session_id"))}
    if clean["session_id"] is None:
        errors["session_id"] = _("Choose a session.")
    code, participant_id = as_text(data.get("card_code")), as_id(data.get("participant_id"))
    if code:
        if not CARD_CODE.match(code):
            errors["card_code"] = _("This card code cannot be read. Scan the card again.")
        clean["card_hash"] = card_hash(code)
        clean["method"] = "qr"
    elif participant_id:
        clean["participant_id"] = participant_id
        clean["method"] = data.get("method") if data.get("method") in ("manual", "walk_in") else "manual"
    else:
        errors["card_code"] = _("Scan a card or choose a name.")
    scanned = recorded_time(data.get("scanned_at"))
    if scanned is None:
        errors["scanned_at"] = _("This item has no valid time.")
    else:
        clean["scanned_at"] = scanned.isoformat(timespec="seconds")
    return clean, errors


def refused(item_id, reason):
    field, message = CHECKIN_REFUSALS[reason]
    return result(item_id, "invalid", reason, {field: str(message)})


def process_checkin(db, item, user_id):
    """Check a woman in to a session: ok once, duplicate after that, however many phones scan her."""
    item_id, digest = item["id"], content_hash(item)
    answered = checkin.answered_item(db, item_id)
    if answered is not None:
        if answered["content_hash"] != digest:
            return result(item_id, "conflict", "same_id_other_content")
        # The same answer as the first time (it may have been lost), marked as a resend.
        participant_id = answered["participant_id"]
        return result(
            item_id,
            "duplicate",
            answered["reason"] or "already_stored",
            participant_id=participant_id,
            first_name=checkin.participant_name(db, participant_id),
            first_status=answered["status"],
        )
    clean, errors = clean_checkin(item.get("data"))
    if errors:
        return result(item_id, "invalid", "field_errors", errors)
    session = checkin.session_for_checkin(db, clean["session_id"])
    if session is None:
        return refused(item_id, "session_unknown")
    if not checkin.may_check_in(db, user_by_id(db, user_id), session["group_id"]):
        return refused(item_id, "session_not_yours")
    if session["cancelled_at"]:
        return refused(item_id, "session_cancelled")
    if "card_hash" in clean:
        holder = checkin.card_holder(db, clean["card_hash"])
        if holder is None:
            return refused(item_id, "card_unknown")
        if holder["replaced_at"]:
            return refused(item_id, "card_replaced")
        participant_id, first_name = holder["participant_id"], holder["first_name"]
    else:
        participant_id = clean["participant_id"]
        first_name = checkin.participant_name(db, participant_id)
        if first_name is None:
            return refused(item_id, "participant_unknown")
        if not checkin.in_group(db, session["group_id"], participant_id):
            return refused(item_id, "participant_not_in_group")  # names come from her group's list
    enrolled = checkin.is_enrolled(db, session["group_id"], participant_id)
    new = checkin.record_checkin(
        db, session["id"], participant_id, clean["scanned_at"], clean["method"], enrolled, user_id, item_id
    )
    status = "ok" if new else "duplicate"
    reason = ("" if enrolled else "not_enrolled") if new else "already_checked_in"
    checkin.remember_answer(db, item_id, digest, status, reason, participant_id)
    return result(
        item_id, status, reason, participant_id=participant_id, first_name=first_name, enrolled=enrolled
    )


KINDS = {"signup": process_signup, "checkin": process_checkin}
