"""The outbox service: items made on a phone (online or not), sent once or many times, stored exactly once.

The envelope is the same for every kind: an id (UUID4), a kind, when it was made, and its data. This module
checks the envelope, runs each item in a savepoint of one durable transaction, and returns one answer per
item. What an item means is its kind's business: each area registers the handler of its kind with
`@handles("kind")` (sign-ups in blueprints/outreach/, check-ins in blueprints/checkin/). A handler takes
(db, item, user_id) and returns `result(...)`; it finds earlier answers by the item's id and `content_hash`.
"""

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

import clock
from db import transaction
from tokens import sha256_hex

MAX_ITEMS = 1000
OLDEST_ITEM = timedelta(days=365)  # a phone forgotten in a drawer for a year still delivers
CLOCK_SKEW = timedelta(days=1)  # phones with a wrong clock
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

_handlers = {}


def handles(kind):
    """Register the decorated function as the handler of items of `kind`."""

    def register(handler):
        if kind in _handlers and _handlers[kind] is not handler:
            raise ValueError(f"the outbox kind {kind!r} has a handler already")
        _handlers[kind] = handler
        return handler

    return register


def kinds():
    """Return the kinds of item the outbox knows."""
    return sorted(_handlers)


def process_items(db, items, user_id):
    """Store a batch in one durable transaction; return one result per item, in order."""
    with transaction(db):
        return [process_item(db, item, user_id) for item in items]


def process_item(db, item, user_id):
    """Check one item's envelope and hand it to its kind, in a savepoint of its own."""
    item_id = item.get("id") if isinstance(item, dict) else None
    errors = shape_errors(item)
    if errors:
        return result(item_id if isinstance(item_id, str) else None, "invalid", "malformed", errors)
    # A savepoint per item: one item the database refuses must not undo the others.
    db.conn.execute("SAVEPOINT item")
    try:
        answer = _handlers[item["kind"]](db, item, user_id)
    except (sqlite3.Error, ValueError, TypeError, UnicodeError):
        db.conn.execute("ROLLBACK TO item")
        current_app.logger.exception("outbox item %s not stored", item_id)  # the id only, never the data
        answer = result(item_id, "invalid", "not_stored", {"item": _("This item could not be stored.")})
    db.conn.execute("RELEASE item")
    return answer


def result(item_id, status, reason="", errors=None, **extra):
    """One answer: {id, status, reason, errors} and what the kind adds."""
    return {"id": item_id, "status": status, "reason": reason, "errors": errors or {}, **extra}


def content_hash(item):
    """Hash what the phone made, so the same id with other content is told apart."""
    content = {"kind": item.get("kind"), "recorded_at": item.get("recorded_at"), "data": item.get("data")}
    return sha256_hex(json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":")))


def shape_errors(item):
    """Check the envelope of an item; return {field: message}."""
    if not isinstance(item, dict):
        return {"item": _("This item is damaged.")}
    errors = {}
    if not isinstance(item.get("id"), str) or not UUID4.match(item["id"]):
        errors["id"] = _("This item has no valid id.")
    if not isinstance(item.get("kind"), str) or item["kind"] not in _handlers:
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
    now = clock.now()
    if not now - OLDEST_ITEM <= moment <= now + CLOCK_SKEW:
        return None
    return moment


def normalised_time(value):
    """Return a plausible item time as stored: UTC, to the second."""
    return recorded_time(value).isoformat(timespec="seconds")
