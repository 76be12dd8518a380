"""Short texts to the enrolled women, each in her own language: time and place, never the programme."""

from datetime import UTC, datetime

from babel import dates
from flask import current_app
from flask_babel import force_locale, get_locale, to_user_timezone
from flask_babel import gettext as _

import clock
from choices import CANCEL_PHRASES
from db import transaction
from sms import sender_for

from . import queries


def short_when(moment_iso):
    """E.g. "tir. 6. jan. 10.00": short enough for one text in Arabic or Urdu."""
    local = to_user_timezone(datetime.fromisoformat(moment_iso))
    locale = get_locale()
    return f"{dates.format_skeleton('MMMEd', local, locale=locale)} {dates.format_time(local, 'short', locale=locale)}"


def text_for(kind, session, language):
    """The text for one woman, in her language."""
    with force_locale(language):
        when = short_when(session["starts_at"])
        if kind == "cancelled":
            return _(
                "Cancelled: %(when)s, %(place)s. %(reason)s",
                when=when,
                place=session["place"],
                # Only a phrase from the translated list: a text cannot carry words typed by anyone.
                reason=str(CANCEL_PHRASES.get(session["cancel_phrase"], "")),
            ).strip()
        if kind == "moved":
            return _("New time: %(when)s, %(place)s.", when=when, place=session["place"])
        return _("Reminder: %(when)s, %(place)s.", when=when, place=session["place"])


def news_since(kind, session):
    """From when a text of this kind about this session says nothing new to a woman who got one: a
    reminder once a day (in Copenhagen), a cancellation or a new time once per cancellation or move."""
    if kind == "cancelled":
        return session["cancelled_at"] or ""
    if kind == "moved":
        return session["moved_at"] or ""
    return clock.start_of_today().astimezone(UTC).isoformat(timespec="seconds")


def send_texts(db, session_id, kind, user_id):
    """Text every woman enrolled in the session's group who has not had this news yet; return (sent,
    not_sent, skipped). Every text is recorded with the staff member who sent it.

    Each text is first claimed in one short transaction (recorded as sent), so that a second tap or a
    colleague at the same moment finds it sent and skips it; then the gateway is called outside any
    transaction (a slow gateway never holds the database); a text that did not go is marked so, and may be
    sent again.
    """
    session = queries.session(db, session_id)
    sender = sender_for(current_app)
    stamp = clock.now_iso()
    with transaction(db):
        had_it = queries.already_texted(db, session_id, kind, news_since(kind, session))
        members = queries.active_members(db, session["group_id"])
        women = [woman for woman in members if woman["id"] not in had_it]
        claims = [
            queries.record_text(db, session_id, woman["id"], kind, stamp, user_id, True) for woman in women
        ]
    failed = [
        claim
        for claim, woman in zip(claims, women, strict=True)
        if not (woman["phone"] and sender.send(woman["phone"], text_for(kind, session, woman["language"])))
    ]
    if failed:
        with transaction(db):
            for claim in failed:
                queries.text_not_delivered(db, claim)
    return len(women) - len(failed), len(failed), len(members) - len(women)
