"""Short texts to the enrolled women, each in her own language: time and place, never the programme."""

from datetime import UTC, datetime

from babel import dates
from flask import current_app
from flask_babel import force_locale, get_locale, to_user_timezone
from flask_babel import gettext as _

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
                reason=session["cancel_reason"],
            ).strip()
        if kind == "moved":
            return _("New time: %(when)s, %(place)s.", when=when, place=session["place"])
        return _("Reminder: %(when)s, %(place)s.", when=when, place=session["place"])


def send_texts(db, session_id, kind, user_id):
    """Text every woman enrolled in the session's group; return (sent, not_sent)."""
    session = queries.session(db, session_id)
    sender = sender_for(current_app)
    sent = not_sent = 0
    for woman in queries.active_members(db, session["group_id"]):
        delivered = bool(woman["phone"]) and sender.send(
            woman["phone"], text_for(kind, session, woman["language"])
        )
        db.execute(
            """INSERT INTO texts_sent (session_id, participant_id, kind, sent_at, sent_by, delivered)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [
                session_id,
                woman["id"],
                kind,
                datetime.now(UTC).isoformat(timespec="seconds"),
                user_id,
                delivered,
            ],
        )
        sent, not_sent = (sent + 1, not_sent) if delivered else (sent, not_sent + 1)
    return sent, not_sent


def texts_sent(db, session_id):
    """How many texts of each kind were sent for a session, and when last."""
    return db.execute(
        """SELECT kind, sum(delivered) AS delivered, count(*) AS tried, max(sent_at) AS last
             FROM texts_sent WHERE session_id = ? GROUP BY kind""",
        [session_id],
    ).fetchall()
