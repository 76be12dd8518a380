"""A group's schedule as a recurrence rule, and the sessions it makes, in Copenhagen's local time."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from babel.dates import get_day_names
from dateutil.rrule import WEEKLY, rrule, weekday

from clock import LOCAL

LONGEST = 2 * 366  # days: a schedule covers at most two years


@dataclass(frozen=True)
class Schedule:
    """Every `every_weeks` weeks on `weekdays` (0 = Monday), from `start` to `end`, first_day to last_day."""

    first_day: date
    last_day: date
    weekdays: tuple[int, ...]
    start: time
    end: time
    every_weeks: int = 1

    def rule(self):
        """The dateutil rule; its days are local calendar days."""
        return rrule(
            WEEKLY,
            interval=self.every_weeks,
            byweekday=[weekday(day) for day in self.weekdays],
            dtstart=datetime.combine(self.first_day, time()),
            until=datetime.combine(self.last_day, time()),
        )

    def days(self):
        return [moment.date() for moment in self.rule()]

    def times_on(self, day):
        """Start and end of the session on `day`, in UTC: local wall-clock time, whatever the season."""
        return session_times(day, self.start, self.end)

    @classmethod
    def of_group(cls, group):
        """The schedule stored on a group row, or None for a group without one."""
        import json

        if not (group["first_day"] and group["start_time"]):
            return None
        return cls(
            date.fromisoformat(group["first_day"]),
            date.fromisoformat(group["last_day"]),
            tuple(json.loads(group["weekdays"])),
            time.fromisoformat(group["start_time"]),
            time.fromisoformat(group["end_time"]),
            group["every_weeks"],
        )


def local_to_utc(day, at):
    """Return a Copenhagen day and wall-clock time as a UTC moment."""
    return datetime.combine(day, at, LOCAL).astimezone(UTC)


def session_times(day, start, end):
    """Start and end in UTC of a session on a local day; it lasts as long as the wall clock says,
    even on the night the clocks change."""
    starts = local_to_utc(day, start)
    return starts, starts + (datetime.combine(day, end) - datetime.combine(day, start))


def local_day(moment_iso):
    """The Copenhagen calendar day of a stored UTC time."""
    return datetime.fromisoformat(moment_iso).astimezone(LOCAL).date()


def weekday_names(locale, width="wide"):
    """Monday first, as Babel names them in `locale`."""
    names = get_day_names(width, locale=locale)
    return [names[index] for index in range(7)]
