"""The outbox contract: items made on a phone, sent once or many times, stored exactly once."""

import hashlib
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from db import transaction

from ..outreach import queries as outreach
from ..outreach.validation import clean_signup

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


KINDS = {"signup": process_signup}
