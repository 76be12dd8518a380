"""The programme's results in numbers: all the SQL of the reports area. Every figure is counted in SQL,
from the women's records and from the anonymous tallies of the women erased since (who still count)."""

import clock
from choices import MEASURES as MEASURE_LABELS

# The measures a milestone can set a target for, in the order reports show them.
MEASURES = tuple(MEASURE_LABELS)
# The results each woman's way records the first day of (the measures but enrolled and left).
RESULTS = ("company_offer", "small_job", "ordinary_job", "education")


def measures_on(db, day):
    """{measure: number of women} from the start of the programme to `day` (inclusive, "YYYY-MM-DD"): each
    woman once however often she enrolled, left and came back; a step counts from the day it started."""
    return measures_on_days(db, [day])[day]


def measures_on_days(db, days):
    """{day: {measure: number of women}} for several days: sums of the kept counts (`way_counts`, by the
    day), one column per day. Erased women count from the first of the month their tally keeps."""
    days = sorted(set(days))
    columns = ", ".join(
        f"coalesce(sum(women) FILTER (WHERE period <= :day{i}), 0) AS n{i}" for i in range(len(days))
    )
    rows = db.execute(
        f"""SELECT event, {columns} FROM way_counts
             WHERE dimension = 'all' AND event IN ('enrolled', {", ".join(f"'{r}'" for r in RESULTS)}, 'left_in', 'left_out')
             GROUP BY event""",
        {f"day{i}": day for i, day in enumerate(days)},
    ).fetchall()
    counted = {row["event"]: row for row in rows}

    def on(event, i):
        return counted[event][f"n{i}"] if event in counted else 0

    return {
        day: {measure: on(measure, i) for measure in ("enrolled", *RESULTS)}
        # A stay that ended for another reason counts as "left" from its end until she comes back.
        | {"left_other": on("left_in", i) - on("left_out", i)}
        for i, day in enumerate(days)
    }


# The way from reached to a job, step by step: each a number of women, each within the one before.
FUNNEL = ("signed_up", "contacted", "enrolled", "company_offer", "small_job", "job_or_education")
# The event each step counts (`way_counts`): she was contacted on the day she was first reached.
FUNNEL_EVENTS = dict(zip(FUNNEL, ("signed_up", "reached", *FUNNEL[2:]), strict=True))
# What the way to work and the participants can be broken down by (`way_counts.dimension`).
BREAKDOWNS = ("channel", "estate", "subgroup", "campaign", "age_band", "language")
# Breakdowns by a row of another table: their keys are ids (kept as text, '' when not recorded).
BY_ID = ("estate", "campaign")


def key_of(breakdown, key):
    """A kept key as the breakdown's value: an id, or None when not recorded, for estates and campaigns."""
    if breakdown in BY_ID:
        return int(key) if key else None
    return key


def counts_by_key(db, breakdown, events, first_period, last_period):
    """{key: {event: women}} of the events from `first_period` to `last_period` (months), by a breakdown."""
    if breakdown not in BREAKDOWNS:
        raise ValueError(breakdown)
    rows = db.execute(
        f"""SELECT key, event, sum(women) AS women FROM way_counts
             WHERE dimension = :breakdown AND period BETWEEN :first AND :last
               AND event IN ({", ".join(f"'{event}'" for event in events)})
             GROUP BY key, event""",
        {"breakdown": breakdown, "first": first_period, "last": last_period},
    ).fetchall()
    counts = {}
    for row in rows:
        counts.setdefault(key_of(breakdown, row["key"]), {})[row["event"]] = row["women"]
    return counts


def funnel_by(db, breakdown, until_month):
    """{key: [women at each FUNNEL step]} by the end of `until_month` ("YYYY-MM"), living and erased, by
    `breakdown` (a BREAKDOWNS name; the key is None or "" when not recorded)."""
    counts = counts_by_key(db, breakdown, FUNNEL_EVENTS.values(), "", until_month)
    return {
        key: [events.get(FUNNEL_EVENTS[step], 0) for step in FUNNEL]
        for key, events in counts.items()
        if any(events.values())
    }


def funnel_by_channel(db, until_month="9999-12"):
    return funnel_by(db, "channel", until_month)


def enrolled_by(db, breakdown, first_month, last_month):
    """{key: (women enrolled for the first time in the months, women enrolled by the end of the last)}."""
    before = counts_by_key(db, breakdown, ["enrolled"], "", month_after(first_month, -1))
    during = counts_by_key(db, breakdown, ["enrolled"], first_month, last_month)
    keys = {key for counts in (before, during) for key, events in counts.items() if events.get("enrolled")}
    return {
        key: (
            during.get(key, {}).get("enrolled", 0),
            during.get(key, {}).get("enrolled", 0) + before.get(key, {}).get("enrolled", 0),
        )
        for key in keys
    }


def signed_up_by(db, breakdown, first_month, last_month):
    """{key: women signed up in the months}, living and erased."""
    counts = counts_by_key(db, breakdown, ["signed_up"], first_month, last_month)
    return {key: events["signed_up"] for key, events in counts.items() if events.get("signed_up")}


# What happened each month: first enrolments, and each woman's first day of each result (once enrolled).
FLOWS = ("enrolled", *RESULTS, "left_other")


def flows_by_month(db, first_month, last_month):
    """{month: {flow: women}} for each month from `first_month` to `last_month` ("YYYY-MM"), with zeros:
    the women who enrolled for the first time, who began each result (counted from the month she enrolled
    if it began before), and who left for other reasons (once a month however often)."""
    rows = db.execute(
        f"""SELECT substr(period, 1, 7) AS month, event, sum(women) AS women FROM way_counts
             WHERE dimension = 'all' AND period >= :first AND period < :after
               AND event IN ('enrolled', {", ".join(f"'{r}'" for r in RESULTS)}, 'left')
             GROUP BY 1, 2""",
        {"first": f"{first_month}-01", "after": f"{month_after(last_month)}-01"},
    ).fetchall()
    flows = {month: dict.fromkeys(FLOWS, 0) for month in months_between(first_month, last_month)}
    for row in rows:
        flows[row["month"]]["left_other" if row["event"] == "left" else row["event"]] = row["women"]
    return flows


def months_between(first_month, last_month):
    """Every "YYYY-MM" from the first to the last, both included."""
    year, month = int(first_month[:4]), int(first_month[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last_month:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def attendance_by_group(db, first_month, last_month, most, span=7):
    """Check-ins at each group's sessions (erased women's too), month by month (`span` 4: year by year, in
    `month`), of the `most` groups with the most check-ins in the months, and of the others together:
    ([{group_id, name, month, present}], [{month, present}] of the others, how many others)."""
    params = {"first": first_month, "last": last_month, "most": most, "span": span}
    kept = """WITH met AS (SELECT group_id, substr(month, 1, :span) AS month, sum(present) AS present
                              FROM group_months WHERE month BETWEEN :first AND :last AND sessions > 0
                             GROUP BY 1, 2),
                    busiest AS (SELECT group_id FROM met GROUP BY group_id
                                 ORDER BY sum(present) DESC, group_id LIMIT :most)"""
    groups = db.execute(
        f"""{kept}
            SELECT m.group_id, g.name, m.month, m.present FROM met m JOIN groups g ON g.id = m.group_id
             WHERE m.group_id IN busiest ORDER BY g.name COLLATE NOCASE, g.id, m.month""",
        params,
    ).fetchall()
    others = db.execute(
        f"""{kept}
            SELECT month, sum(present) AS present, count(DISTINCT group_id) AS groups FROM met
             WHERE group_id NOT IN busiest GROUP BY month""",
        params,
    ).fetchall()
    count = db.execute(
        f"{kept} SELECT count(DISTINCT group_id) FROM met WHERE group_id NOT IN busiest", params
    ).fetchone()[0]
    return groups, others, count


def sessions_held(db, first_month, last_month, now):
    """{month: (groups that met, sessions held)} from the first month to the last: sessions not cancelled
    and begun by `now` (this month's from the sessions themselves, the months before from group_months)."""
    this_month = now[:7]
    held = {
        row["month"]: (row["groups"], row["sessions"])
        for row in db.execute(
            """SELECT month, count(*) FILTER (WHERE sessions > 0) AS groups, sum(sessions) AS sessions
                 FROM group_months WHERE month BETWEEN :first AND :last AND month < :this GROUP BY month""",
            {"first": first_month, "last": last_month, "this": this_month},
        )
    }
    if first_month <= this_month <= last_month:
        row = db.execute(
            """SELECT count(DISTINCT group_id) AS groups, count(*) AS sessions FROM sessions
                WHERE starts_at >= :first AND starts_at <= :now AND cancelled_at IS NULL""",
            {"first": this_month, "now": now},
        ).fetchone()
        held[this_month] = (row["groups"], row["sessions"])
    return held


def campaigns_between(db, first_day, last_day):
    """The campaigns that ran some of the days from `first_day` to `last_day`, the earliest first."""
    return db.execute(
        "SELECT id, name, starts_on, ends_on FROM campaigns WHERE starts_on <= ? AND ends_on >= ? ORDER BY starts_on, id",
        [last_day, first_day],
    ).fetchall()


def report_texts(db, period):
    """{section: text} the project lead wrote for a period's report."""
    return {
        row["section"]: row["text"]
        for row in db.execute("SELECT section, text FROM report_texts WHERE period = ?", [period])
    }


def put_report_text(db, period, section, text, user_id):
    db.execute(
        """INSERT INTO report_texts (period, section, text, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (period, section) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at,
                                                       updated_by = excluded.updated_by""",
        [period, section, text, clock.now_iso(), user_id],
    )


def month_after(month, months=1):
    """The month `months` after "YYYY-MM" (before, when negative)."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


AIMS = ("work_identity", "society_norms", "workplace_expectations", "health_barriers")


def aims_change(db, until_day):
    """{aim: (women, average change)} from each woman's first answer to her last by `until_day`, of the
    women who answered at least twice; erased women from the change their tally keeps (`aims_counts`)."""
    row = db.execute(
        f"""SELECT coalesce(sum(women), 0) AS women, {", ".join(f"sum({aim}) AS {aim}" for aim in AIMS)}
              FROM aims_counts WHERE day <= ?""",
        [until_day],
    ).fetchone()
    women = row["women"]
    return {aim: (women, (row[aim] or 0) / women if women else None) for aim in AIMS}


AVERAGE_MONTH_DAYS = 365.25 / 12


def off_benefit(db, day):
    """Women off public benefit by `day` (from her record; erased women from their tally, by the month):
    {ever_off, off_now, job_and_off, months_off}: how many came off it, how many are still off it, how
    many of them got an ordinary job by then, and the months off it they add up to."""
    return db.execute(
        """WITH spells (off_from, back_on, job_on) AS (
               SELECT p.off_benefit_from, p.off_benefit_until, w.ordinary_job_on
                 FROM participants p JOIN ways w ON w.participant_id = p.id
                WHERE p.off_benefit_from IS NOT NULL AND p.off_benefit_from <= :day
               UNION ALL
               SELECT off_benefit_from_month || '-01', off_benefit_until_month || '-01', ordinary_job_month || '-01'
                 FROM erased_tallies
                WHERE off_benefit_from_month IS NOT NULL AND off_benefit_from_month || '-01' <= :day)
           SELECT count(*) AS ever_off,
                  count(*) FILTER (WHERE back_on IS NULL OR back_on > :day) AS off_now,
                  count(*) FILTER (WHERE job_on <= :day) AS job_and_off,
                  coalesce(sum(julianday(min(coalesce(back_on, :day), :day)) - julianday(off_from)), 0)
                      / :month AS months_off
             FROM spells""",
        {"day": day, "month": AVERAGE_MONTH_DAYS},
    ).fetchone()


def names_of(db, breakdown):
    """{key: name} of the estates or campaigns a breakdown is by ({} for the others: their names are in
    choices)."""
    table = {"estate": "estates", "campaign": "campaigns"}.get(breakdown)
    if table is None:
        return {}
    return {row["id"]: row["name"] for row in db.execute(f"SELECT id, name FROM {table}")}


def milestones(db):
    """The programme's milestones, soonest first."""
    return db.execute("SELECT * FROM milestones ORDER BY due_on, id").fetchall()


def add_milestone(db, due_on, measure, target, share, user_id):
    return db.execute(
        "INSERT INTO milestones (due_on, measure, target, share, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
        [due_on, measure, target, int(share), clock.now_iso(), user_id],
    ).lastrowid


def delete_milestone(db, milestone_id):
    """Delete a milestone; True if there was one."""
    return bool(db.execute("DELETE FROM milestones WHERE id = ?", [milestone_id]).rowcount)
