"""The app's one clock: every "now" and "today" comes from here, so that a test can fix the time."""

import contextlib
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

# The programme's wall clock: "today", schedules and local times are Copenhagen's, whatever the server's zone.
LOCAL = ZoneInfo("Europe/Copenhagen")

_fixed = None


def now():
    """Return the current moment in UTC (the fixed one while a test holds the clock)."""
    return _fixed if _fixed is not None else datetime.now(UTC)


def now_iso():
    """Return the current moment as stored in the database: UTC, ISO 8601, to the second."""
    return now().isoformat(timespec="seconds")


def today():
    """Return today's date in Copenhagen (not the server's, not UTC's)."""
    return now().astimezone(LOCAL).date()


def start_of_today():
    """Return local midnight at the start of today, as an aware datetime in Copenhagen."""
    return datetime.combine(today(), time(0), tzinfo=LOCAL)


@contextlib.contextmanager
def fixed(moment):
    """Hold the clock at `moment` (an aware datetime) for the block: for tests and benchmarks."""
    global _fixed
    if moment.utcoffset() is None:
        raise ValueError("a fixed moment needs a time zone")
    before, _fixed = _fixed, moment.astimezone(UTC)
    try:
        yield _fixed
    finally:
        _fixed = before
