"""The reports' figures counted from scratch, over every woman's way and tally (how the reports counted
before `way_counts`): the tests hold the kept counts against them."""

from blueprints.reports.queries import FLOWS, RESULTS, months_between
from choices import LEFT_FOR_A_RESULT


def measures_on_days(db, days):
    """{day: {measure: number of women}} for several days, in one pass over the women's ways (a page with
    several milestones reads each woman once, not once per milestone): one aggregate column per measure and
    day. Living women count by the day, erased ones by the month their tally keeps."""
    days = sorted(set(days))
    params = {f"day{i}": day for i, day in enumerate(days)} | {
        f"month{i}": day[:7] for i, day in enumerate(days)
    }
    params |= {f"result{i}": kind for i, kind in enumerate(LEFT_FOR_A_RESULT)}
    results = ", ".join(f":result{i}" for i in range(len(LEFT_FOR_A_RESULT)))

    def columns(template):
        return ", ".join(template.format(day=f":day{i}", month=f":month{i}", i=i) for i in range(len(days)))

    def counted(suffix, bound):
        """Enrolled and each result by the day (`ways`: suffix "on", bound "day") or month (tallies)."""
        return columns(
            f"count(*) FILTER (WHERE enrolled_{suffix} <= {{{bound}}}) AS enrolled_{{i}}, "
            + ", ".join(
                f"count(*) FILTER (WHERE enrolled_{suffix} <= {{{bound}}} AND {result}_{suffix} <= {{{bound}}})"
                f" AS {result}_{{i}}"
                for result in RESULTS
            )
        )

    living = db.execute(f"SELECT {counted('on', 'day')} FROM ways", params).fetchone()
    erased = db.execute(
        f"""SELECT {counted("month", "month")}, {
            columns(
                "count(*) FILTER (WHERE enrolled_month <= {month} AND left_month <= {month}"
                f" AND leaving_reason NOT IN ({results})) AS left_{{i}}"
            )
        } FROM erased_tallies""",
        params,
    ).fetchone()
    # A stay that ended for another reason counts as "left" from its end until she comes back.
    left = db.execute(
        f"""SELECT {columns("count(*) FILTER (WHERE left_on <= {day} AND (back_on IS NULL OR back_on > {day})) AS left_{i}")}
              FROM (SELECT left_on, leaving_reason,
                           lead(enrolled_on) OVER (PARTITION BY participant_id ORDER BY enrolled_on, id) AS back_on
                      FROM visitations)
             WHERE left_on IS NOT NULL AND leaving_reason NOT IN ({results})""",
        params,
    ).fetchone()
    figures = {}
    for i, day in enumerate(days):
        counts = {m: living[f"{m}_{i}"] + erased[f"{m}_{i}"] for m in ("enrolled", *RESULTS)}
        figures[day] = counts | {"left_other": left[f"left_{i}"] + erased[f"left_{i}"]}
    return figures


# Every woman in one shape, by the month: the living from their ways, the erased from their tallies.
EVERY_WOMAN = f"""women AS (
    SELECT channel, campaign_id, estate_id, subgroup, language, age_band,
           substr(registered_on, 1, 7) AS registered_month, substr(reached_on, 1, 7) AS reached_month,
           substr(enrolled_on, 1, 7) AS enrolled_month,
           {", ".join(f"substr({result}_on, 1, 7) AS {result}_month" for result in ("company_offer", "small_job", "ordinary_job", "education"))}
      FROM ways
    UNION ALL
    SELECT coalesce(channel, ''), campaign_id, estate_id, subgroup, language, age_band, registered_month,
           coalesce(reached_month,  -- erased before it was kept: reached by her status, or when enrolled
                    CASE WHEN status IN ('contacted', 'enrolled', 'left') THEN registered_month END, enrolled_month),
           enrolled_month,
           company_offer_month, small_job_month, ordinary_job_month, education_month
      FROM erased_tallies)"""

# The way from reached to a job, step by step: each a number of women, each within the one before.
FUNNEL = ("signed_up", "contacted", "enrolled", "company_offer", "small_job", "job_or_education")
# What each step of the way counts, of the women signed up by :until (a month).
FUNNEL_COUNTS = {
    "signed_up": "count(*)",
    "contacted": "count(*) FILTER (WHERE reached_month <= :until)",
    "enrolled": "count(*) FILTER (WHERE enrolled_month <= :until)",
    "company_offer": "count(*) FILTER (WHERE enrolled_month <= :until AND company_offer_month <= :until)",
    "small_job": "count(*) FILTER (WHERE enrolled_month <= :until AND small_job_month <= :until)",
    "job_or_education": """count(*) FILTER (WHERE enrolled_month <= :until
                                    AND (ordinary_job_month <= :until OR education_month <= :until))""",
}
# What the way to work and the participants can be broken down by: the column of `women` for each.
BREAKDOWNS = {
    "channel": "channel",
    "estate": "estate_id",
    "subgroup": "subgroup",
    "campaign": "campaign_id",
    "age_band": "age_band",
    "language": "language",
}


def funnel_by(db, breakdown, until_month):
    """{key: [women at each FUNNEL step]} of the women signed up by the end of `until_month` ("YYYY-MM"),
    living and erased, by `breakdown` (a BREAKDOWNS key; the key is None or "" when not recorded)."""
    column = BREAKDOWNS[breakdown]
    rows = db.execute(
        f"""WITH {EVERY_WOMAN}
            SELECT {column} AS key, {", ".join(f"{FUNNEL_COUNTS[step]} AS {step}" for step in FUNNEL)}
              FROM women WHERE registered_month <= :until GROUP BY 1""",
        {"until": until_month},
    ).fetchall()
    return {row["key"]: [row[step] for step in FUNNEL] for row in rows}


def funnel_by_channel(db, until_month="9999-12"):
    return funnel_by(db, "channel", until_month)


def enrolled_by(db, breakdown, first_month, last_month):
    """{key: (women enrolled for the first time in the months, women enrolled by the end of the last)}."""
    column = BREAKDOWNS[breakdown]
    rows = db.execute(
        f"""WITH {EVERY_WOMAN}
            SELECT {column} AS key, count(*) FILTER (WHERE enrolled_month >= :first) AS new, count(*) AS total
              FROM women WHERE enrolled_month <= :last GROUP BY 1""",
        {"first": first_month, "last": last_month},
    ).fetchall()
    return {row["key"]: (row["new"], row["total"]) for row in rows}


def signed_up_by(db, breakdown, first_month, last_month):
    """{key: women signed up in the months}, living and erased."""
    column = BREAKDOWNS[breakdown]
    rows = db.execute(
        f"""WITH {EVERY_WOMAN}
            SELECT {column} AS key, count(*) AS women FROM women
             WHERE registered_month BETWEEN :first AND :last GROUP BY 1""",
        {"first": first_month, "last": last_month},
    ).fetchall()
    return {row["key"]: row["women"] for row in rows}


# What happened each month: first enrolments, and each woman's first day of each result (once enrolled).


def flows_by_month(db, first_month, last_month):
    """{month: {flow: women}} for each month from `first_month` to `last_month` ("YYYY-MM"), with zeros:
    the women who enrolled for the first time, who began each result (counted from the month she enrolled
    if it began before), and who left for other reasons (once a month however often)."""
    results = ", ".join(f"'{kind}'" for kind in LEFT_FOR_A_RESULT)
    firsts = " UNION ALL ".join(
        f"""SELECT max({result}_month, enrolled_month), '{result}' FROM women
             WHERE enrolled_month IS NOT NULL AND {result}_month IS NOT NULL"""
        for result in RESULTS
    )
    rows = db.execute(
        f"""WITH {EVERY_WOMAN}, happened (month, flow) AS (
                SELECT enrolled_month, 'enrolled' FROM women WHERE enrolled_month IS NOT NULL
                UNION ALL {firsts}
                UNION ALL SELECT left_month, 'left_other' FROM (
                    SELECT DISTINCT participant_id, substr(left_on, 1, 7) AS left_month FROM visitations
                     WHERE left_on IS NOT NULL AND leaving_reason NOT IN ({results}))
                UNION ALL SELECT months.value, 'left_other' FROM erased_tallies, json_each(left_other_months) AS months)
            SELECT month, flow, count(*) AS women FROM happened
             WHERE month BETWEEN :first AND :last GROUP BY 1, 2""",
        {"first": first_month, "last": last_month},
    ).fetchall()
    flows = {month: dict.fromkeys(FLOWS, 0) for month in months_between(first_month, last_month)}
    for row in rows:
        flows[row["month"]][row["flow"]] = row["women"]
    return flows


AIMS = ("work_identity", "society_norms", "workplace_expectations", "health_barriers")


def aims_change(db, until_day):
    """{aim: (women, average change)} from each woman's first answer to her last by `until_day`, of the
    women who answered at least twice; erased women from the change their tally keeps."""
    changes = ", ".join(f"sum(l.{aim} - f.{aim}) AS {aim}" for aim in AIMS)
    living = db.execute(
        f"""WITH answers AS (
                SELECT participant_id, {", ".join(AIMS)},
                       row_number() OVER (PARTITION BY participant_id ORDER BY asked_on, id) AS nth,
                       row_number() OVER (PARTITION BY participant_id ORDER BY asked_on DESC, id DESC) AS from_last
                  FROM progress_answers WHERE asked_on <= :until)
            SELECT count(*) AS women, {changes}
              FROM answers f JOIN answers l ON l.participant_id = f.participant_id AND l.from_last = 1
             WHERE f.nth = 1 AND l.nth > 1""",
        {"until": until_day},
    ).fetchone()
    erased = db.execute(
        f"""SELECT count(*) AS women, {", ".join(f"sum({aim}_change) AS {aim}" for aim in AIMS)}
              FROM erased_tallies WHERE aims_month <= :until AND work_identity_change IS NOT NULL""",
        {"until": until_day[:7]},
    ).fetchone()
    women = living["women"] + erased["women"]
    return {
        aim: (women, ((living[aim] or 0) + (erased[aim] or 0)) / women if women else None) for aim in AIMS
    }
