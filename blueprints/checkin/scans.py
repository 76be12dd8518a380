"""The outbox's "checkin" kind: a woman checked in to a session by her card or by name, online or not."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import access
from form_fields import as_id, as_text
from outbox import content_hash, handles, recorded_time, result

from ..auth.queries import user_by_id
from ..casework import queries as casework
from ..participants.cards import CARD_CODE, card_hash
from . import queries

# Why a check-in is refused; the phone shows these in its own language.
REFUSALS = {
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


@handles("checkin")
def check_in_item(db, item, user_id):
    """Check a woman in to a session: ok once, duplicate after that, however many phones scan her.

    Every answer to a well-formed item is kept, refusals too, so a resend gets the same answer."""
    item_id, digest = item["id"], content_hash(item)
    answered = queries.answered_item(db, item_id)
    if answered is not None:
        return answer_again(db, item_id, digest, answered)
    clean, errors = clean_checkin(item.get("data"))
    if errors:
        return result(item_id, "invalid", "field_errors", errors)
    decision = decide(db, clean, user_by_id(db, user_id))
    if "refused" in decision:
        queries.remember_answer(
            db, item_id, digest, "invalid", decision["refused"], None, clean["session_id"], user_id
        )
        return refused(item_id, decision["refused"])
    session, participant_id = decision["session"], decision["participant_id"]
    enrolled = queries.is_enrolled(db, session["group_id"], participant_id)
    new = queries.record_checkin(
        db, session["id"], participant_id, clean["scanned_at"], clean["method"], enrolled, user_id, item_id
    )
    if new:
        casework.met(db, participant_id)  # coming to a group is a contact: she no longer waits for a call
    status = "ok" if new else "duplicate"
    reason = ("" if enrolled else "not_enrolled") if new else "already_checked_in"
    queries.remember_answer(db, item_id, digest, status, reason, participant_id, session["id"], user_id)
    return result(
        item_id,
        status,
        reason,
        participant_id=participant_id,
        first_name=decision["first_name"],
        enrolled=enrolled,
    )


def decide(db, clean, user):
    """Return {"session", "participant_id", "first_name"} for a check-in that may be made, else {"refused"}."""
    session = queries.session_for_checkin(db, clean["session_id"])
    if session is None:
        return {"refused": "session_unknown"}
    if not access.may_check_in(db, user, session["group_id"]):
        return {"refused": "session_not_yours"}
    if session["cancelled_at"]:
        return {"refused": "session_cancelled"}
    if "card_hash" in clean:
        holder = queries.card_holder(db, clean["card_hash"])
        if holder is None:
            return {"refused": "card_unknown"}
        if holder["replaced_at"]:
            return {"refused": "card_replaced"}
        participant_id, first_name = holder["participant_id"], holder["first_name"]
    else:
        participant_id = clean["participant_id"]
        first_name = queries.participant_name(db, participant_id)
        if first_name is None:
            return {"refused": "participant_unknown"}
        if not access.may_check_in_by_name(db, user, session["group_id"], participant_id):
            return {"refused": "participant_not_in_group"}  # names come from her group's list
    return {"session": session, "participant_id": participant_id, "first_name": first_name}


@handles("checkin_undo")
def undo_item(db, item, user_id):
    """Undo a wrong tap: the check-in item `data.undoes` made by this staff member no longer counts.

    Kept like a check-in, so a resend gets the same answer. A check-in that arrives after its undo (it was
    on its way) finds the undo's mark under its id and stores nothing."""
    item_id, digest = item["id"], content_hash(item)
    answered = queries.answered_item(db, item_id)
    if answered is not None:
        if answered["content_hash"] != digest:
            return result(item_id, "conflict", "same_id_other_content")
        return result(item_id, "duplicate", answered["reason"])
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    undoes = data.get("undoes")
    if not isinstance(undoes, str) or not undoes.strip() or len(undoes) > 64:
        return result(item_id, "invalid", "field_errors", {"undoes": _("This item is damaged.")})
    checkin = queries.answered_item(db, undoes)
    if checkin is None:
        queries.remember_answer(db, undoes, "", "duplicate", "undone", None, None, user_id)
        reason = "nothing_to_undo"
    elif checkin["recorded_by"] != user_id:
        return result(item_id, "invalid", "not_yours", {"undoes": _("Only who checked her in can undo it.")})
    else:
        reason = "undone" if queries.undo_checkin(db, undoes) else "nothing_to_undo"
    session_id = checkin["session_id"] if checkin is not None else None
    queries.remember_answer(db, item_id, digest, "ok", reason, None, session_id, user_id)
    return result(item_id, "ok", reason)


def answer_again(db, item_id, digest, answered):
    """The answer to an item already answered: the same one, marked as a resend (it may have been lost)."""
    if answered["reason"] == "undone" and not answered["content_hash"]:
        return result(item_id, "duplicate", "undone")  # undone before it arrived: nothing to store
    if answered["content_hash"] != digest:
        return result(item_id, "conflict", "same_id_other_content")
    if answered["status"] == "invalid":
        return refused(item_id, answered["reason"])
    participant_id = answered["participant_id"]
    return result(
        item_id,
        "duplicate",
        answered["reason"] or "already_stored",
        participant_id=participant_id,
        first_name=queries.participant_name(db, participant_id),
        first_status=answered["status"],
    )


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
    """The answer to a check-in that may not be made, with its message in the user's language."""
    field, message = REFUSALS[reason]
    return result(item_id, "invalid", reason, {field: str(message)})
