"""The outbox's "signup" kind: a woman registered on a phone, by a form without JavaScript or from a poster."""

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

import access
from i18n import DEFAULT_LANGUAGE, LANGUAGES
from outbox import content_hash, handles, normalised_time, result

from ..auth import queries as staff_queries
from . import queries
from .validation import clean_signup


@handles("signup")
def store_signup_item(db, item, user_id):
    """Store a sign-up once: duplicate on a resend, conflict on the same id with other content."""
    item_id, digest = item["id"], content_hash(item)
    if queries.is_erased(db, item_id):
        return result(item_id, "gone", "erased")
    stored = queries.find_signup(db, item_id)
    if stored is not None:
        if stored["content_hash"] == digest:
            return result(item_id, "duplicate", "already_stored", participant_id=stored["participant_id"])
        return result(item_id, "conflict", "same_id_other_content", participant_id=stored["participant_id"])
    # What is wrong is said in the form's language: it is corrected on the form in her language.
    with force_locale(form_language(item.get("data"))):
        clean, errors = clean_signup(db, item.get("data"))
        if errors:
            return result(item_id, "invalid", "field_errors", errors)
        if card_taken(db, clean):
            errors = {"card_code": _("This card belongs to someone else. Give her another card.")}
            return result(item_id, "invalid", "card_taken", errors)
    # Only someone who may learn who is in the programme joins a known number to a woman's record.
    may_join = user_id is not None and access.may_learn_who_signed_up(staff_queries.user_by_id(db, user_id))
    participant_id, how = queries.store_signup(
        db, item_id, digest, clean, normalised_time(item["recorded_at"]), user_id, may_join
    )
    reason = {"merged": "merged", "awaiting": "awaiting_coordinator"}.get(how, "")
    return result(item_id, "ok", reason, participant_id=participant_id)


def discreet(answer):
    """The answer as a staff member who may not learn who is in the programme gets it: without her id, and
    without saying that the number was known."""
    answer = {key: value for key, value in answer.items() if key != "participant_id"}
    if answer["reason"] in ("merged", "awaiting_coordinator"):
        answer["reason"] = ""
    return answer


def form_language(data):
    """The language the sign-up form was filled in (hers), or the request's when it is missing or unknown."""
    language = data.get("language") if isinstance(data, dict) else None
    return language if language in LANGUAGES else str(get_locale() or DEFAULT_LANGUAGE)


def card_taken(db, clean):
    """True when the card given at sign-up already belongs to another woman."""
    if not clean["card_hash"]:
        return False
    owner = queries.card_owner(db, clean["card_hash"])
    if owner is None:
        return False
    same_woman = queries.participant_by_phone(db, clean["phone"])
    return not (same_woman and same_woman["id"] == owner)
