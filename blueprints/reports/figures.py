"""The programme's figures as the tables every report shows: the dashboard, the half-yearly and final
report, their Excel and CSV files and the command line all take their tables from here, so each figure is
counted and protected in one place.

A table is shown exactly to staff who see the women's records; to everybody else (the steering group, and
everything that leaves the app) through complementary suppression: counts 1 to 4 are "<5", and enough other
cells are hidden that none of them can be worked out from the totals."""

from dataclasses import dataclass, field

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import settings
from choices import AGE_BANDS, CHANNELS, MEASURES, PROGRESS_AIM_NAMES, SUBGROUPS
from i18n import LANGUAGE_NAMES, format_when

from . import queries
from .suppression import SMALL, suppress

BREAKDOWN_NAMES = {
    "channel": _l("Channel"),
    "estate": _l("Housing estate"),
    "subgroup": _l("Group of women"),
    "campaign": _l("Campaign"),
    "age_band": _l("Age when she signed up"),
    "language": _l("Language"),
}
# What the way to work can be shown by on the dashboard, and each table's title.
WAY_TO_WORK_TITLES = {
    "channel": _l("The way to work, by channel"),
    "estate": _l("The way to work, by housing estate"),
    "subgroup": _l("The way to work, by group of women"),
    "campaign": _l("The way to work, by campaign"),
}
FUNNEL_BREAKDOWNS = tuple(WAY_TO_WORK_TITLES)
FUNNEL_NAMES = {
    "signed_up": _l("Signed up"),
    "contacted": _l("Contacted"),
    "enrolled": _l("Enrolled"),
    "company_offer": _l("In an offer in a company"),
    "small_job": _l("In a small job"),
    "job_or_education": _l("In a job or education"),
}
FLOW_NAMES = {
    "enrolled": _l("Enrolled"),
    "company_offer": _l("Began an offer in a company"),
    "small_job": _l("Began a small job"),
    "ordinary_job": _l("Began an ordinary job"),
    "education": _l("Began education"),
    "left_other": _l("Left for other reasons"),
}


@dataclass
class Table:
    """A table as shown: `rows` of (label, [shown cells]), and the totals row unless `totals` is None."""

    key: str  # its name in files: a sheet of the workbook, a CSV file
    title: str
    heading: str  # what the rows are
    columns: list
    rows: list
    totals: list | None = None
    totals_label: str = ""
    note: str = ""
    short_labels: list = field(default_factory=list)  # the rows' labels in a chart (months' short names)
    numbers: list = field(default_factory=list)  # the cells as numbers (exact) for charts and checks


def counts_table(key, title, heading, columns, labels, cells, exact, totals_label=None):
    """A table of counts of women, with its totals row when `totals_label` is given; exact, or protected."""
    if not cells:
        return Table(
            key, title, heading, columns, [], None if totals_label is None else [], str(totals_label or "")
        )
    width = len(columns)
    if exact:
        shown = [list(row) for row in cells]
        column_totals = [sum(row[c] for row in cells) for c in range(width)]
    else:
        published = suppress(cells)
        shown = [[published.shown(r, c) for c in range(width)] for r in range(len(cells))]
        column_totals = [published.shown(len(cells), c) for c in range(width)]
    return Table(
        key,
        title,
        heading,
        columns,
        list(zip(labels, shown, strict=True)),
        column_totals if totals_label is not None else None,
        str(totals_label or ""),
        numbers=[list(row) for row in cells],
    )


def labels_of(db, breakdown):
    """{key: label} for a breakdown's keys, in the order they are shown, and the label of no key."""
    names = {
        "channel": CHANNELS,
        "subgroup": SUBGROUPS,
        "age_band": AGE_BANDS,
        "language": LANGUAGE_NAMES,
    }.get(breakdown)
    if names is None:
        names = dict(sorted(queries.names_of(db, breakdown).items(), key=lambda item: item[1].casefold()))
    return {key: str(label) for key, label in names.items()}


def in_order(db, breakdown, counts):
    """[(label, value)] of `counts` ({key: value}) in the breakdown's order, the unrecorded last."""
    labels = labels_of(db, breakdown)
    keys = [key for key in labels if key in counts]
    keys += [key for key in counts if key not in labels and key not in (None, "")]
    keys += [key for key in (None, "") if key in counts]
    return [
        (labels.get(key, _("Not recorded") if key in (None, "") else str(key)), counts[key]) for key in keys
    ]


def way_to_work(db, breakdown, until_month, exact):
    """The way from signed up to a job, by a breakdown, of the women signed up by `until_month`."""
    rows = in_order(db, breakdown, queries.funnel_by(db, breakdown, until_month))
    return counts_table(
        f"way_to_work_by_{breakdown}",
        str(WAY_TO_WORK_TITLES[breakdown]),
        str(BREAKDOWN_NAMES[breakdown]),
        [str(FUNNEL_NAMES[step]) for step in queries.FUNNEL],
        [label for label, _counts in rows],
        [counts for _label, counts in rows],
        exact,
        totals_label=_("All"),
    )


def month_by_month(db, first_month, last_month, exact):
    """Enrolments and each result's beginnings, month by month."""
    flows = queries.flows_by_month(db, first_month, last_month)
    table = counts_table(
        "month_by_month",
        _("Enrolments and results, month by month"),
        _("Month"),
        [str(FLOW_NAMES[flow]) for flow in queries.FLOWS],
        [format_when(month, "month") for month in flows],
        [[counts[flow] for flow in queries.FLOWS] for counts in flows.values()],
        exact,
        totals_label=_("All months"),
    )
    table.short_labels = [format_when(month, "short_month") for month in flows]
    return table


# A table shows this many groups at most, the ones with the most check-ins; the others share one row.
MOST_GROUPS = 25


def attendance(db, first_month, last_month, exact, by_year=False):
    """Check-ins at each group's sessions, month by month (year by year with `by_year`): the MOST_GROUPS
    groups with the most check-ins, and the others together."""
    if by_year:
        periods = [str(year) for year in range(int(first_month[:4]), int(last_month[:4]) + 1)]
        columns = periods
    else:
        periods = queries.months_between(first_month, last_month)
        columns = [format_when(month, "short_month") for month in periods]
    found, others, other_count = queries.attendance_by_group(
        db, first_month, last_month, MOST_GROUPS, span=4 if by_year else 7
    )
    groups = {}
    for row in found:
        groups.setdefault((row["group_id"], row["name"]), dict.fromkeys(periods, 0))[row["month"]] = row[
            "present"
        ]
    rows = [(name, list(counts.values())) for (_group_id, name), counts in groups.items()]
    if other_count:
        together = dict.fromkeys(periods, 0) | {row["month"]: row["present"] for row in others}
        rows.append((_("The other %(count)d groups", count=other_count), list(together.values())))
    table = counts_table(
        "attendance",
        _("Attendance at the groups, year by year")
        if by_year
        else _("Attendance at the groups, month by month"),
        _("Group"),
        columns,
        [name for name, _cells in rows],
        [cells for _name, cells in rows],
        exact,
        totals_label=_("All groups"),
    )
    table.note = (
        _("Each cell is the check-ins at the group's sessions that year.")
        if by_year
        else _("Each cell is the check-ins at the group's sessions that month.")
    )
    if other_count:
        table.note += " " + _(
            "The %(count)d groups with the most check-ins, and the others together.", count=MOST_GROUPS
        )
    return table


def sessions_held(db, first_month, last_month, now):
    """{month: (groups that met, sessions held)}: what the programme did, no woman in it."""
    held = queries.sessions_held(db, first_month, last_month, now)
    return {month: held.get(month, (0, 0)) for month in queries.months_between(first_month, last_month)}


def aims(db, until_day, exact):
    """The average change on each of the four aims, from each woman's first answer to her last."""
    changes = queries.aims_change(db, until_day)
    rows, numbers = [], []
    for aim, (women, change) in changes.items():
        protected = not exact and 0 < women < 5
        shown_change = "" if change is None or protected else f"{change:+.1f}"
        rows.append((str(PROGRESS_AIM_NAMES[aim]), [women if exact else _small(women), shown_change]))
        numbers.append([women, change])
    return Table(
        "aims",
        _("Change on the four aims"),
        _("Aim"),
        [_("Women who answered twice or more"), _("Average change (from 1 to 5)")],
        rows,
        note=_("From each woman's first answer to her latest. Faces from 1 (very sad) to 5 (very happy)."),
        numbers=numbers,
    )


def _small(count):
    return "<5" if count in SMALL else count  # the small counts, as suppression hides them


def measures_table(figures, exact, title=None):
    """The measures so far: women, and their share of the enrolled (left out where it would show a count
    of 1 to 4)."""
    rows = []
    for key, label in MEASURES.items():
        count = figures[key]
        share = ""
        if key != "enrolled" and figures["enrolled"] and (exact or count == 0 or count >= 5):
            share = f"{round(100 * count / figures['enrolled'])} %"
        rows.append((str(label), [count if exact else _small(count), share]))
    return Table(
        "so_far",
        title or _("So far"),
        _("Measure"),
        [_("Women"), _("Share of enrolled")],
        rows,
        numbers=[[figures[key]] for key in MEASURES],
    )


# ---- The half-yearly and final report ---------------------------------------------------------------------

# The free-text sections the project lead writes for a report, each after the section it comments.
TEXT_SECTIONS = {
    "activities": _l("What we did, in our own words"),
    "learning": _l("Experience and learning"),
}
PARTICIPANT_BREAKDOWNS = ("subgroup", "estate", "age_band", "language")
PARTICIPANT_TITLES = {
    "subgroup": _l("Enrolled women, by group of women"),
    "estate": _l("Enrolled women, by housing estate"),
    "age_band": _l("Enrolled women, by age when she signed up"),
    "language": _l("Enrolled women, by language"),
}
STATES = {"reached": _l("Reached"), "missed": _l("Not reached"), "open": _l("Not yet")}


@dataclass
class Section:
    key: str
    title: str
    tables: list
    text_key: str | None = None  # the free text that follows it


def signed_up_by_channel(db, period):
    counts = queries.signed_up_by(db, "channel", period.first_month, period.last_month)
    rows = in_order(db, "channel", counts)
    return counts_table(
        "signed_up",
        _("Women who signed up, by channel"),
        str(BREAKDOWN_NAMES["channel"]),
        [_("Women")],
        [label for label, _n in rows],
        [[n] for _label, n in rows],
        exact=False,
        totals_label=_("All channels"),
    )


def campaigns(db, period):
    """The campaigns that ran in the period, and the women who signed up through each in it."""
    ran = queries.campaigns_between(db, period.first_day.isoformat(), period.last_day.isoformat())
    counts = queries.signed_up_by(db, "campaign", period.first_month, period.last_month)
    return counts_table(
        "campaigns",
        _("Campaigns"),
        _("Campaign"),
        [_("Women who signed up")],
        [
            f"{row['name']} ({format_when(row['starts_on'], 'calendar')} – {format_when(row['ends_on'], 'calendar')})"
            for row in ran
        ],
        [[counts.get(row["id"], 0)] for row in ran],
        exact=False,
        totals_label=_("All campaigns"),
    )


def sessions_table(db, period, now):
    """Groups that met and sessions held, month by month: what the programme did (no woman in it)."""
    held = sessions_held(db, period.first_month, period.last_month, now)
    return Table(
        "sessions",
        _("Groups and sessions held, month by month"),
        _("Month"),
        [_("Groups that met"), _("Sessions held")],
        [(format_when(month, "month"), list(counts)) for month, counts in held.items()],
        totals=["", sum(sessions for _groups, sessions in held.values())],
        totals_label=_("All months"),
    )


def attendance_in(db, period, now):
    """Check-ins per group: month by month in a half-year, year by year over the whole programme."""
    return attendance(db, period.first_month, period.last_month, exact=False, by_year=period.is_whole)


def enrolled_by(db, breakdown, period):
    counts = queries.enrolled_by(db, breakdown, period.first_month, period.last_month)
    rows = in_order(db, breakdown, counts)
    return counts_table(
        f"enrolled_by_{breakdown}",
        str(PARTICIPANT_TITLES[breakdown]),
        str(BREAKDOWN_NAMES[breakdown]),
        [_("Enrolled in the period"), _("Enrolled by its end")],
        [label for label, _counts in rows],
        [list(counts) for _label, counts in rows],
        exact=False,
        totals_label=_("All"),
    )


def milestone_progress(db, day, exact):
    """Each milestone against the figures on its day (or on `day` while it is still open):
    ([{milestone, now, shown, state}], the figures on `day`). `now` is the count, or for a share the % of
    the women enrolled; `shown` is it as the reader may see it (protected: a count of 1 to 4 is "<5", and a
    share that would give one away is left out); `state` is "reached", "missed" (its day is past) or
    "open"."""
    milestones = queries.milestones(db)
    figures_on = queries.measures_on_days(db, [day, *(min(m["due_on"], day) for m in milestones)])
    rows = []
    for m in milestones:
        figures = figures_on[min(m["due_on"], day)]
        count, enrolled = figures[m["measure"]], figures["enrolled"]
        if m["share"]:
            now = round(100 * count / enrolled) if enrolled else 0
            shown = f"{now} %" if exact or count == 0 or count >= 5 else ""
        else:
            now = count
            shown = count if exact else _small(count)
        state = "reached" if now >= m["target"] else ("missed" if m["due_on"] < day else "open")
        rows.append({"milestone": m, "now": now, "shown": shown, "state": state})
    return rows, figures_on[day]


def milestones_table(db, day, exact):
    """Each milestone against the figures on its day, as a table."""
    rows, numbers = [], []
    for row in milestone_progress(db, day, exact)[0]:
        m = row["milestone"]
        target = f"{m['target']} %" if m["share"] else m["target"]
        rows.append(
            (
                format_when(m["due_on"], "calendar"),
                [str(MEASURES[m["measure"]]), target, row["shown"], str(STATES[row["state"]])],
            )
        )
        numbers.append([row["now"]])
    return Table(
        "milestones",
        _("Milestones"),
        _("By"),
        [_("Measure"), _("Target"), _("Figure"), _("State")],
        rows,
        numbers=numbers,
    )


def report(db, period, today, now):
    """The report's sections, each a list of tables, every count protected (the report leaves the app)."""
    last_day = min(period.last_day, today).isoformat()
    return [
        Section(
            "activities",
            _("Activities"),
            [
                signed_up_by_channel(db, period),
                campaigns(db, period),
                sessions_table(db, period, now),
                attendance_in(db, period, now),
            ],
            text_key="activities",
        ),
        Section(
            "participants",
            _("Participants"),
            [enrolled_by(db, breakdown, period) for breakdown in PARTICIPANT_BREAKDOWNS],
        ),
        Section(
            "results",
            _("Results"),
            [
                measures_table(
                    queries.measures_on(db, last_day),
                    exact=False,
                    title=_("The measures by the end of the period"),
                ),
                milestones_table(db, last_day, exact=False),
                way_to_work(db, "channel", period.last_month, exact=False),
                month_by_month(db, period.first_month, period.last_month, exact=False),
            ],
        ),
        Section("aims", _("Progress on the four aims"), [aims(db, last_day, exact=False)]),
        Section(
            "business_case",
            _("The business case"),
            [business_case(db, last_day, exact=False)],
            text_key="learning",
        ),
    ]


def about(db, period, today):
    """What a report is: its title, its period, and the programme's name and funder, and the day it was made."""
    name = settings.get_text(db, "programme_name")
    funder = settings.get_text(db, "funder")
    period_days = f"{format_when(period.first_day, 'calendar')} – {format_when(period.last_day, 'calendar')}"
    return {
        "key": period.key,
        "title": _("Final report") if period.is_whole else _("Half-yearly follow-up"),
        "period": f"{period.label()} ({period_days})",
        "details": [
            (_("Programme"), name),
            (_("Funder"), funder),
            (_("Made on"), format_when(today, "calendar")),
        ],
    }


# ---- The business case --------------------------------------------------------------------------------------


def kroner(amount):
    return _("%(amount)s kr.", amount=format_decimal(round(amount), locale=get_locale()))


def business_case(db, day, exact):
    """What the women off public benefit save the public by `day`, what the municipality pays for them
    under the payment model, and the assumptions, as a table. Protected, the amounts are left out while
    fewer than 5 women are off benefit (they would tell about each of them)."""
    monthly_cost = settings.get(db, "monthly_public_cost")
    price = settings.get(db, "price_per_woman")
    per_participant = settings.get(db, "pay_per_participant")
    off = queries.off_benefit(db, day)
    paid_for = queries.measures_on(db, day)["enrolled"] if per_participant else off["job_and_off"]
    savings = off["months_off"] * monthly_cost
    payment = paid_for * price
    shown = exact or not 0 < off["ever_off"] < 5

    def count(n):
        return n if exact else _small(n)

    def money(amount):
        return kroner(amount) if shown else ""

    model = (
        _("%(price)s for each woman enrolled", price=kroner(price))
        if per_participant
        else _("%(price)s for each woman in an ordinary job and off public benefit", price=kroner(price))
    )
    rows = [
        (_("What a woman outside work costs the public a month"), [kroner(monthly_cost)]),
        (_("Payment model"), [model]),
        (_("Women who came off public benefit"), [count(off["ever_off"])]),
        (_("Of them, still off public benefit"), [count(off["off_now"])]),
        (
            _("Months off public benefit, all together"),
            [
                format_decimal(round(off["months_off"], 1), format="#,##0.0", locale=get_locale())
                if shown
                else ""
            ],
        ),
        (_("Public savings so far"), [money(savings)]),
        (
            _("Public savings, the next 12 months if they stay off benefit"),
            [money(off["off_now"] * 12 * monthly_cost)],
        ),
        (_("Payment due under the model"), [money(payment)]),
        (_("Savings so far, less the payment"), [money(savings - payment)]),
    ]
    return Table(
        "business_case",
        _("The business case"),
        _("Figure"),
        [_("By %(day)s", day=format_when(day, "calendar"))],
        rows,
        note=_(
            "Counted from each woman's recorded day off public benefit (and back on it): savings are her months "
            "off benefit times the monthly cost; the next 12 months assume the women off benefit now stay off "
            "it. The grant's sources put the monthly cost at 15,000-25,000 kr."
        ),
        numbers=[
            [monthly_cost],
            [price],
            [off["ever_off"]],
            [off["off_now"]],
            [off["months_off"]],
            [savings],
            [off["off_now"] * 12 * monthly_cost],
            [payment],
            [savings - payment],
        ],
    )
