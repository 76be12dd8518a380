"""The casework's rules of time, in one place: when a sign-up waits too long for her first call, how urgent a
woman of the caseload is, and when her next progress answers are due. Plain functions of dates; the clock
comes from the caller."""

import functools
from datetime import date, timedelta

from dateutil.easter import easter

# A self sign-up promises a call "within a few days": overdue after this many working days.
CALL_WITHIN_WORKING_DAYS = 3
# Meet each woman every 3 to 5 days (seed 003): amber from the first, red after the second.
CONTACT_AMBER_DAYS = 3
CONTACT_RED_AFTER_DAYS = 5
# Never more than six weeks without an activity (seed 003, KIB).
ACTIVITY_RED_AFTER_WEEKS = 6
# A small job is at least 30 hours a month (seed 004); the 225-hour rule counts a year (seed 002).
SMALL_JOB_MONTH_HOURS = 30
YEAR_HOURS = 225
# Her own answers on the four aims: at enrolment, then every 3 months.
PROGRESS_EVERY_MONTHS = 3


@functools.cache
def danish_holidays(year):
    """The days off in Denmark in `year` (Store Bededag was abolished from 2024; 24 and 31 December are
    days off in the municipalities)."""
    easter_sunday = easter(year)
    moving = (-3, -2, 1, 39, 50)  # Maundy Thursday, Good Friday, Easter Monday, Ascension, Whit Monday
    fixed = ((1, 1), (6, 5), (12, 24), (12, 25), (12, 26), (12, 31))
    return frozenset(
        [easter_sunday + timedelta(days=offset) for offset in moving]
        + [date(year, month, day) for month, day in fixed]
        + ([easter_sunday + timedelta(days=26)] if year < 2024 else [])  # Store Bededag
    )


def is_working_day(day):
    return day.weekday() < 5 and day not in danish_holidays(day.year)


def working_days_between(start, end):
    """Working days (Monday to Friday, not a Danish holiday) after `start` up to and including `end`."""
    if end <= start:
        return 0
    return sum(is_working_day(start + timedelta(days=offset)) for offset in range(1, (end - start).days + 1))


def call_overdue(signed_up_on, today):
    """True when a sign-up has waited more than the promised working days for her first call."""
    return working_days_between(signed_up_on, today) > CALL_WITHIN_WORKING_DAYS


def contact_urgency(last_contact_on, today):
    """ "red", "amber" or "" for the days since her last contact (never contacted counts as red)."""
    if last_contact_on is None:
        return "red"
    days = (today - last_contact_on).days
    if days > CONTACT_RED_AFTER_DAYS:
        return "red"
    return "amber" if days >= CONTACT_AMBER_DAYS else ""


def weeks_without_activity(last_activity_on, today, busy_now):
    """Whole weeks since her last activity ended (0 while one goes on)."""
    if busy_now:
        return 0
    if last_activity_on is None:
        return None
    return max((today - last_activity_on).days, 0) // 7


def activity_gap_too_long(last_activity_on, today, busy_now, enrolled_on):
    """True when she has been without an activity for more than six weeks (counted from her enrolment when
    she never had one)."""
    if busy_now:
        return False
    since = last_activity_on or enrolled_on
    return since is not None and (today - since).days > ACTIVITY_RED_AFTER_WEEKS * 7


def month_too_short(hours):
    """True when a small job's month has fewer hours than a small job needs."""
    return hours < SMALL_JOB_MONTH_HOURS


def last_twelve_months(today):
    """The 12 months up to and including this one, as "YYYY-MM", oldest first."""
    months, year, month = [], today.year, today.month
    for _ in range(12):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def add_months(day, months):
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day))


def progress_due_on(enrolled_on, last_asked_on):
    """The day her next answers on the four aims are due: at enrolment, then 3 months after the last ones."""
    if last_asked_on is None:
        return enrolled_on
    return add_months(last_asked_on, PROGRESS_EVERY_MONTHS)
