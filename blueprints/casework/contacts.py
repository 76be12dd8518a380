"""The outbox's "contact" kind: a meeting, call, home visit… with a woman, recorded on a phone (online or not)
from the caseload, or by the form on her record."""

from datetime import timedelta

from flask_babel import gettext as _

import access
from choices import CONTACT_KINDS
from form_fields import as_id, as_text, has_control_characters_but_lines
from outbox import content_hash, handles, recorded_time, result

from ..auth.queries import user_by_id
from . import queries

NOTE_MAX = 500
# A contact is recorded when or after it happened: its time may not be later than the phone made the item,
# give or take a phone's clock drifting between the two.
CLOCK_DRIFT = timedelta(minutes=5)


@handles("contact")
def store_contact_item(db, item, user_id):
    """Store a contact once: duplicate on a resend, conflict on the same id with other content, gone when
    she was erased."""
    item_id, digest = item["id"], content_hash(item)
    stored = queries.contact_item(db, item_id)
    if stored is not None:
        if stored["content_hash"] == digest:
            return result(item_id, "duplicate", "already_stored", participant_id=stored["participant_id"])
        return result(item_id, "conflict", "same_id_other_content")
    clean, errors = clean_contact(item.get("data"), recorded_time(item["recorded_at"]))
    if errors:
        return result(item_id, "invalid", "field_errors", errors)
    participant_id = clean["participant_id"]
    if queries.is_erased(db, participant_id):
        return result(item_id, "gone", "erased")
    refusal = refused(db, participant_id, user_by_id(db, user_id))
    if refusal:
        return result(item_id, "invalid", refusal[0], {"participant_id": refusal[1]})
    queries.add_contact(
        db, item_id, digest, participant_id, clean["kind"], clean["contacted_at"], clean["note"], user_id
    )
    return result(item_id, "ok", "", participant_id=participant_id)


def refused(db, participant_id, user):
    """(reason, message) when this contact may not be stored, else None."""
    her = queries.stage_of(db, participant_id)
    if her is None:
        return "participant_unknown", _("This woman is not known.")
    if user is None or not access.may_do_casework(db, user, participant_id):
        return "not_yours", _("You do not follow this woman.")
    if her["withdrawn_at"]:
        return "withdrawn", _("She withdrew her consent: nothing more is recorded about her.")
    return None


def clean_contact(data, recorded_at):
    """Check a contact's fields: whom, how, when (not after the item was made), and a short note."""
    if not isinstance(data, dict):
        return None, {"data": _("This item is damaged.")}
    errors = {}
    clean = {"participant_id": as_id(data.get("participant_id"))}
    if clean["participant_id"] is None:
        errors["participant_id"] = _("Choose a woman.")
    kind = as_text(data.get("kind"))
    if kind not in CONTACT_KINDS:
        errors["kind"] = _("Choose how you met her.")
    clean["kind"] = kind
    contacted_at = recorded_time(data.get("contacted_at"))
    if contacted_at is None:
        errors["contacted_at"] = _("Write when it was: a day and a time, not in the future.")
    elif contacted_at > recorded_at + CLOCK_DRIFT:
        errors["contacted_at"] = _("The contact cannot be later than now.")
    else:
        clean["contacted_at"] = contacted_at.isoformat(timespec="seconds")
    note = data.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str):
        errors["note"] = _("This item is damaged.")
    elif len(note.strip()) > NOTE_MAX:
        errors["note"] = _("Write at most %(max)d characters.", max=NOTE_MAX)
    elif has_control_characters_but_lines(note):
        errors["note"] = _("Remove the invisible control characters.")
    clean["note"] = note.strip() if isinstance(note, str) else ""
    return clean, errors
