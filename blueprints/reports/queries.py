"""The programme's results in numbers: all the SQL of the reports area. Every figure is counted in SQL,
from the women's records and from the anonymous tallies of the women erased since (who still count)."""

import clock
from choices import COMPANY_OFFERS
from choices import MEASURES as MEASURE_LABELS

# Why she left, when it is a result of its own rather than "left for other reasons".
LEFT_FOR_A_RESULT = ("ordinary_job", "education")
# The measures a milestone can set a target for, in the order reports show them.
MEASURES = tuple(MEASURE_LABELS)


def measures_on(db, day):
    """{measure: number of women} from the start of the programme to `day` (inclusive, "YYYY-MM-DD"): each
    woman once however often she enrolled, left and came back; a step counts from the day it started."""
    return measures_on_days(db, [day])[day]


def measures_on_days(db, days):
    """{day: {measure: number of women}} for several days, in one pass over the records (a page with several
    milestones reads each woman once, not once per milestone): one aggregate column per measure and day."""
    days = sorted(set(days))
    params = {f"day{i}": day for i, day in enumerate(days)} | {
        f"month{i}": day[:7] for i, day in enumerate(days)
    }
    params |= {f"result{i}": kind for i, kind in enumerate(LEFT_FOR_A_RESULT)}
    params |= {f"offer{i}": kind for i, kind in enumerate(COMPANY_OFFERS)}
    results = ", ".join(f":result{i}" for i in range(len(LEFT_FOR_A_RESULT)))
    offers = ", ".join(f":offer{i}" for i in range(len(COMPANY_OFFERS)))

    def columns(template):
        return ", ".join(template.format(day=f":day{i}", month=f":month{i}", i=i) for i in range(len(days)))

    # Each woman once: when she first enrolled, and when each result first began (a step before her day).
    living = db.execute(
        f"""SELECT {
            columns(
                "count(*) FILTER (WHERE enrolled_on <= {day}) AS enrolled_{i}, "
                "count(*) FILTER (WHERE enrolled_on <= {day} AND company_offer <= {day}) AS company_offer_{i}, "
                "count(*) FILTER (WHERE enrolled_on <= {day} AND small_job <= {day}) AS small_job_{i}, "
                "count(*) FILTER (WHERE enrolled_on <= {day} AND ordinary_job <= {day}) AS ordinary_job_{i}, "
                "count(*) FILTER (WHERE enrolled_on <= {day} AND education <= {day}) AS education_{i}"
            )
        }
              FROM (SELECT participant_id, min(enrolled_on) AS enrolled_on FROM visitations GROUP BY participant_id)
              LEFT JOIN (SELECT participant_id,
                                min(CASE WHEN kind IN ({offers}) THEN started_on END) AS company_offer,
                                min(CASE WHEN kind = 'small_job' THEN started_on END) AS small_job,
                                min(CASE WHEN kind = 'ordinary_job' THEN started_on END) AS ordinary_job,
                                min(CASE WHEN kind = 'education' THEN started_on END) AS education
                           FROM steps WHERE started_on IS NOT NULL GROUP BY participant_id) USING (participant_id)""",
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
    erased = db.execute(
        f"""SELECT {
            columns(
                "count(*) FILTER (WHERE enrolled_month <= {month}) AS enrolled_{i}, "
                "coalesce(sum(company_offer) FILTER (WHERE enrolled_month <= {month}), 0) AS company_offer_{i}, "
                "coalesce(sum(small_job) FILTER (WHERE enrolled_month <= {month}), 0) AS small_job_{i}, "
                "coalesce(sum(ordinary_job) FILTER (WHERE enrolled_month <= {month}), 0) AS ordinary_job_{i}, "
                "coalesce(sum(education) FILTER (WHERE enrolled_month <= {month}), 0) AS education_{i}, "
                "count(*) FILTER (WHERE enrolled_month <= {month} AND left_month <= {month}"
                f" AND leaving_reason NOT IN ({results})) AS left_{{i}}"
            )
        }
              FROM erased_tallies""",
        params,
    ).fetchone()
    figures = {}
    for i, day in enumerate(days):
        counted = {m: living[f"{m}_{i}"] + erased[f"{m}_{i}"] for m in MEASURES if m != "left_other"}
        figures[day] = counted | {"left_other": left[f"left_{i}"] + erased[f"left_{i}"]}
    return figures


# The way from reached to a job, step by step: each a number of women, each within the one before.
FUNNEL = ("signed_up", "contacted", "enrolled", "company_offer", "small_job", "job_or_education")
# Her stage once she was reached (by a call, a meeting or a group).
REACHED_STAGES = ("contacted", "enrolled", "left")


def funnel_by_channel(db):
    """{channel: [women at each FUNNEL step]} to this day, from the records and the erased women's tallies;
    the channel is where she first heard of the programme ("" when not recorded)."""
    reached = ", ".join(f"'{stage}'" for stage in REACHED_STAGES)
    offers = ", ".join("?" * len(COMPANY_OFFERS))
    living = db.execute(
        f"""SELECT coalesce(p.channel, '') AS channel, count(*) AS signed_up,
                   count(*) FILTER (WHERE p.stage IN ({reached}) OR f.enrolled) AS contacted,
                   count(*) FILTER (WHERE f.enrolled) AS enrolled,
                   count(*) FILTER (WHERE f.company_offer) AS company_offer,
                   count(*) FILTER (WHERE f.small_job) AS small_job,
                   count(*) FILTER (WHERE f.job_or_education) AS job_or_education
              FROM participants p
              LEFT JOIN (SELECT v.participant_id, 1 AS enrolled,
                                max(s.kind IN ({offers})) AS company_offer,
                                max(s.kind = 'small_job') AS small_job,
                                max(s.kind IN ('ordinary_job', 'education')) AS job_or_education
                           FROM (SELECT DISTINCT participant_id FROM visitations) v
                           LEFT JOIN steps s ON s.participant_id = v.participant_id AND s.started_on IS NOT NULL
                          GROUP BY v.participant_id) f ON f.participant_id = p.id
             GROUP BY 1""",
        COMPANY_OFFERS,
    ).fetchall()
    erased = db.execute(
        f"""SELECT coalesce(channel, '') AS channel, count(*) AS signed_up,
                   count(*) FILTER (WHERE status IN ({reached}) OR enrolled_month IS NOT NULL) AS contacted,
                   count(*) FILTER (WHERE enrolled_month IS NOT NULL) AS enrolled,
                   sum(company_offer) AS company_offer, sum(small_job) AS small_job,
                   count(*) FILTER (WHERE ordinary_job OR education) AS job_or_education
              FROM erased_tallies GROUP BY 1"""
    ).fetchall()
    funnel = {}
    for row in [*living, *erased]:
        counts = funnel.setdefault(row["channel"], [0] * len(FUNNEL))
        for i, step in enumerate(FUNNEL):
            counts[i] += row[step] or 0
    return funnel


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
