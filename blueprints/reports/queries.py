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
    params = {"day": day, "month": day[:7]}
    params |= {f"result{i}": kind for i, kind in enumerate(LEFT_FOR_A_RESULT)}
    params |= {f"offer{i}": kind for i, kind in enumerate(COMPANY_OFFERS)}
    results = ", ".join(f":result{i}" for i in range(len(LEFT_FOR_A_RESULT)))
    offers = ", ".join(f":offer{i}" for i in range(len(COMPANY_OFFERS)))
    living = db.execute(
        f"""WITH enrolled AS (
                SELECT participant_id,
                       -- her last stay begun by the day: how it stood then
                       (SELECT v.left_on IS NOT NULL AND v.left_on <= :day AND v.leaving_reason NOT IN ({results})
                          FROM visitations v WHERE v.participant_id = w.participant_id AND v.enrolled_on <= :day
                         ORDER BY v.enrolled_on DESC, v.id DESC LIMIT 1) AS left_other
                  FROM visitations w WHERE w.enrolled_on <= :day GROUP BY w.participant_id),
            started AS (
                SELECT participant_id, kind FROM steps WHERE started_on IS NOT NULL AND started_on <= :day)
            SELECT count(*) AS enrolled,
                   count(*) FILTER (WHERE participant_id IN
                       (SELECT participant_id FROM started WHERE kind IN ({offers}))) AS company_offer,
                   count(*) FILTER (WHERE participant_id IN
                       (SELECT participant_id FROM started WHERE kind = 'small_job')) AS small_job,
                   count(*) FILTER (WHERE participant_id IN
                       (SELECT participant_id FROM started WHERE kind = 'ordinary_job')) AS ordinary_job,
                   count(*) FILTER (WHERE participant_id IN
                       (SELECT participant_id FROM started WHERE kind = 'education')) AS education,
                   count(*) FILTER (WHERE left_other) AS left_other
              FROM enrolled""",
        params,
    ).fetchone()
    erased = db.execute(
        f"""SELECT count(*) AS enrolled, coalesce(sum(company_offer), 0) AS company_offer,
                   coalesce(sum(small_job), 0) AS small_job, coalesce(sum(ordinary_job), 0) AS ordinary_job,
                   coalesce(sum(education), 0) AS education,
                   count(*) FILTER (WHERE left_month <= :month AND leaving_reason NOT IN ({results})) AS left_other
              FROM erased_tallies WHERE enrolled_month <= :month""",
        params,
    ).fetchone()
    return {measure: living[measure] + erased[measure] for measure in MEASURES}


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
