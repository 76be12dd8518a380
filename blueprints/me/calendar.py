"""Her sessions as an iCalendar file: one event per session, in Europe/Copenhagen time."""

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

import clock
from choices import ACTIVITIES, bring_words
from clock import LOCAL


def calendar_file(sessions, language):
    """Return the .ics bytes; titles say the activity in her language, never the programme's name."""
    calendar = Calendar()
    calendar.add("prodid", "-//calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    stamp = clock.now()
    with force_locale(language):
        calendar.add("x-wr-calname", _("Calendar"))
        for session in sessions:
            calendar.add_component(session_event(session, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def session_event(session, stamp):
    """One calendar event for a session, in her language."""
    event = Event()
    title = str(ACTIVITIES.get(session["activity"], ACTIVITIES["other"]))
    if session["topic"]:
        title += f": {session['topic']}"
    if session["cancelled_at"]:
        title = _("Cancelled: %(title)s", title=title)
    event.add("uid", f"session-{session['id']}@calendar")
    event.add("dtstamp", stamp)
    event.add("dtstart", datetime.fromisoformat(session["starts_at"]).astimezone(LOCAL))
    event.add("dtend", datetime.fromisoformat(session["ends_at"]).astimezone(LOCAL))
    event.add("summary", title)
    event.add("location", session["place"])
    things = bring_words(session["bring_phrases"], session["bring"])
    if things:
        event.add("description", _("Bring: %(things)s", things=things))
    event.add("sequence", session["sequence"])
    event.add("status", "CANCELLED" if session["cancelled_at"] else "CONFIRMED")
    return event
