"""The periods a report covers: a half-year ("2026H1": January to June, "2026H2": July to December), or the
whole programme ("all": from its first day to its last, or to today while it runs)."""

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

HALF_YEAR = re.compile(r"^(\d{4})H([12])$")
WHOLE = "all"


@dataclass(frozen=True)
class Period:
    key: str
    first_day: date
    last_day: date

    @property
    def first_month(self):
        return self.first_day.isoformat()[:7]

    @property
    def last_month(self):
        return self.last_day.isoformat()[:7]

    @property
    def is_whole(self):
        return self.key == WHOLE

    def label(self):
        """Its name as the report's title says it, in the request's language."""
        if self.is_whole:
            return _("The whole programme")
        year, half = HALF_YEAR.match(self.key).groups()
        if half == "1":
            return _("January to June %(year)s", year=year)
        return _("July to December %(year)s", year=year)


def parse(key, starts_on, ends_on, today):
    """The Period for `key`, or None when it is not one. The whole programme runs from `starts_on` (else the
    first of January of this year) to `ends_on` (else today)."""
    if key == WHOLE:
        first = starts_on or date(today.year, 1, 1)
        return Period(WHOLE, first, max(first, ends_on or today))
    match = HALF_YEAR.match(key or "")
    if not match or not 2000 <= int(match[1]) <= 2100:
        return None
    year, half = int(match[1]), match[2]
    if half == "1":
        return Period(key, date(year, 1, 1), date(year, 6, 30))
    return Period(key, date(year, 7, 1), date(year, 12, 31))


def half_year_of(day):
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def choices(starts_on, ends_on, today):
    """[Period] to choose from, newest first: each half-year from the programme's first (else this year's)
    to the one it ends in or today's, whichever comes first, then the whole programme."""
    first = starts_on or date(today.year, 1, 1)
    last = min(ends_on, today) if ends_on else today
    keys = []
    year, half = first.year, 1 if first.month <= 6 else 2
    while f"{year}H{half}" <= half_year_of(max(first, last)):
        keys.append(f"{year}H{half}")
        year, half = (year + 1, 1) if half == 2 else (year, 2)
    periods = [parse(key, starts_on, ends_on, today) for key in reversed(keys)]
    return [*periods, parse(WHOLE, starts_on, ends_on, today)]


def default(starts_on, ends_on, today):
    """The half-year most recently ended (the one a follow-up is due for), else the current one."""
    periods = [p for p in choices(starts_on, ends_on, today) if not p.is_whole]
    ended = [p for p in periods if p.last_day < today]
    return (ended or periods)[0]
