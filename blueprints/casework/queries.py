"""The casework: new sign-ups to call, enrolment, the caseload, contacts and leaving. All the SQL of this area.

Where she is on her way is `participants.stage`, and it changes here only:
new → (call) contacted | set_aside | closed → (enrolment) enrolled → (leaving) left; a new sign-up or a
contact brings a woman set aside or closed back.
"""

from datetime import date, datetime

import access
import clock

from . import pathway

# ---- New sign-ups to call ---------------------------------------------------------------------------------

# When she started waiting for a call: her latest sign-up (a woman who signs up again waits anew).
WAITING_SINCE = """coalesce((SELECT max(s.recorded_at) FROM signups s
                              WHERE s.participant_id = p.id AND s.awaiting = 0), p.registered_at)"""


def women_to_call(db, user, stage="new", limit=500):
    """The women `user` may follow at a stage of the queue ("new" or "set_aside"), who waited longest first,
    with their tries since they started waiting."""
    findable, params = access.findable_participants(user)
    return db.execute(
        f"""SELECT p.id, p.first_name, p.language, p.channel, p.coordinator_id, e.name AS estate_name,
                  coalesce(nullif(u.display_name, ''), u.username) AS coordinator_name,
                  {WAITING_SINCE} AS waiting_since,
                  (SELECT count(*) FROM calls c WHERE c.participant_id = p.id AND c.outcome = 'no_answer'
                      AND c.called_at >= {WAITING_SINCE}) AS tries,
                  (SELECT max(c.called_at) FROM calls c WHERE c.participant_id = p.id) AS last_called_at
             FROM participants p LEFT JOIN estates e ON e.id = p.estate_id
             LEFT JOIN users u ON u.id = p.coordinator_id
            WHERE p.stage = ? AND {findable}
            ORDER BY waiting_since, p.id LIMIT ?""",
        [stage, *params, limit],
    ).fetchall()


def contacted_not_enrolled(db, user, limit=500):
    """Women `user` may follow who were reached but are not enrolled yet, with the meeting booked, the
    soonest meeting first (those without one last)."""
    findable, params = access.findable_participants(user)
    return db.execute(
        f"""SELECT p.id, p.first_name, p.language,
                  (SELECT c.meeting_on FROM calls c WHERE c.participant_id = p.id
                    ORDER BY c.called_at DESC, c.id DESC LIMIT 1) AS meeting_on
             FROM participants p WHERE p.stage = 'contacted' AND {findable}
            ORDER BY meeting_on IS NULL, meeting_on, p.first_name COLLATE NOCASE LIMIT ?""",
        [*params, limit],
    ).fetchall()


def tries_since_waiting(db, participant_id):
    """Calls without an answer since she last signed up."""
    row = db.execute(
        f"""SELECT count(*) AS tries FROM calls c JOIN participants p ON p.id = c.participant_id
             WHERE p.id = ? AND c.outcome = 'no_answer' AND c.called_at >= {WAITING_SINCE}""",
        [participant_id],
    ).fetchone()
    return row["tries"]


def record_call(db, participant_id, outcome, meeting_on, user_id, tries_before_set_aside):
    """Record a call and move her on: reached or a meeting booked → contacted; no answer → set aside after
    the last try; not interested now or a wrong number → closed. Return her new stage."""
    db.execute(
        "INSERT INTO calls (participant_id, called_at, called_by, outcome, meeting_on) VALUES (?, ?, ?, ?, ?)",
        [participant_id, clock.now_iso(), user_id, outcome, meeting_on],
    )
    if outcome in ("reached", "meeting_booked"):
        stage = "contacted"
    elif outcome == "no_answer":
        tries = tries_since_waiting(db, participant_id)
        stage = "set_aside" if tries >= tries_before_set_aside else "new"
    else:
        stage = "closed"
    # Only from the queue: a call recorded on an old page does not undo her enrolment.
    db.execute(
        "UPDATE participants SET stage = ? WHERE id = ? AND stage IN ('new', 'set_aside', 'closed', 'contacted')",
        [stage, participant_id],
    )
    return stage


def calls_of(db, participant_id):
    """Every call to her, newest first, with who called."""
    return db.execute(
        """SELECT c.called_at, c.outcome, c.meeting_on,
                  coalesce(nullif(u.display_name, ''), u.username) AS staff
             FROM calls c LEFT JOIN users u ON u.id = c.called_by
            WHERE c.participant_id = ? ORDER BY c.called_at DESC, c.id DESC""",
        [participant_id],
    ).fetchall()


def signed_up_again(db, participant_id):
    """A woman set aside or closed who signs up again waits for a call anew."""
    db.execute(
        "UPDATE participants SET stage = 'new' WHERE id = ? AND stage IN ('set_aside', 'closed')",
        [participant_id],
    )


def met(db, participant_id):
    """She was met (a contact, or she came to a group): she no longer waits for a first call."""
    db.execute(
        "UPDATE participants SET stage = 'contacted' WHERE id = ? AND stage IN ('new', 'set_aside', 'closed')",
        [participant_id],
    )


# ---- Enrolment and leaving --------------------------------------------------------------------------------


def open_visitation(db, participant_id):
    """Her enrolment in the programme while she is in it, or None."""
    return db.execute(
        """SELECT v.*, coalesce(nullif(u.display_name, ''), u.username) AS coordinator_name
             FROM visitations v LEFT JOIN users u ON u.id = v.coordinator_id
            WHERE v.participant_id = ? AND v.left_on IS NULL""",
        [participant_id],
    ).fetchone()


def visitations_of(db, participant_id):
    """Every stay of hers in the programme, the latest first."""
    return db.execute(
        """SELECT v.*, coalesce(nullif(u.display_name, ''), u.username) AS coordinator_name
             FROM visitations v LEFT JOIN users u ON u.id = v.coordinator_id
            WHERE v.participant_id = ? ORDER BY v.enrolled_on DESC, v.id DESC""",
        [participant_id],
    ).fetchall()


def last_left_on(db, participant_id):
    """The day she last left the programme, or None."""
    row = db.execute(
        "SELECT max(left_on) AS left_on FROM visitations WHERE participant_id = ?", [participant_id]
    ).fetchone()
    return date.fromisoformat(row["left_on"]) if row["left_on"] else None


def enrol(db, participant_id, enrolment, user_id):
    """Enrol her in the programme (any day: rolling intake); her coordinator follows her from now on.
    False when she is enrolled already (two coordinators at the same moment)."""
    if open_visitation(db, participant_id) is not None:
        return False
    db.execute(
        """INSERT INTO visitations (participant_id, enrolled_on, coordinator_id, benefit, action_plan,
                  action_plan_on, planned_end_on, recorded_by, recorded_at)
           VALUES (:participant_id, :enrolled_on, :coordinator_id, :benefit, :action_plan, :action_plan_on,
                   :planned_end_on, :recorded_by, :recorded_at)""",
        enrolment
        | {"participant_id": participant_id, "recorded_by": user_id, "recorded_at": clock.now_iso()},
    )
    db.execute(
        "UPDATE participants SET stage = 'enrolled', coordinator_id = ? WHERE id = ?",
        [enrolment["coordinator_id"], participant_id],
    )
    return True


def off_benefit_of(db, participant_id):
    return db.execute(
        "SELECT off_benefit_from, off_benefit_until FROM participants WHERE id = ?", [participant_id]
    ).fetchone()


def record_off_benefit(db, participant_id, off_from, back_on):
    """The day she came off public benefit and back on it (None: not known)."""
    db.execute(
        "UPDATE participants SET off_benefit_from = ?, off_benefit_until = ? WHERE id = ?",
        [off_from, back_on, participant_id],
    )


def leave(db, participant_id, left_on, reason):
    """She leaves the programme; her history stays, and she may come back. False when she was not in it."""
    changed = db.execute(
        "UPDATE visitations SET left_on = ?, leaving_reason = ? WHERE participant_id = ? AND left_on IS NULL",
        [left_on, reason, participant_id],
    ).rowcount
    if changed:
        db.execute("UPDATE participants SET stage = 'left' WHERE id = ?", [participant_id])
    return bool(changed)


def casework_staff(db):
    """Active staff who may be a woman's coordinator."""
    return db.execute(
        """SELECT id, coalesce(nullif(display_name, ''), username) AS name FROM users
            WHERE active = 1 AND role IN ('coordinator', 'admin') ORDER BY name COLLATE NOCASE"""
    ).fetchall()


# ---- The caseload -----------------------------------------------------------------------------------------

# Her last contact: a recorded contact, a call that reached her, or a group session she came to.
LAST_CONTACT = """max(
    coalesce((SELECT max(c.contacted_at) FROM contacts c WHERE c.participant_id = p.id), ''),
    coalesce((SELECT max(c.called_at) FROM calls c WHERE c.participant_id = p.id
                 AND c.outcome IN ('reached', 'meeting_booked')), ''),
    coalesce((SELECT max(a.checked_in_at) FROM attendance a WHERE a.participant_id = p.id), ''))"""
CURRENT_STEP = """(SELECT s.kind FROM steps s WHERE s.participant_id = p.id AND s.started_on <= day.today
                     AND (s.ended_on IS NULL OR s.ended_on >= day.today)
                   ORDER BY s.started_on DESC, s.id DESC LIMIT 1)"""
LAST_ACTIVITY = """max(
    coalesce((SELECT max(s.ended_on) FROM steps s WHERE s.participant_id = p.id AND s.ended_on < day.today), ''),
    coalesce((SELECT substr(max(a.checked_in_at), 1, 10) FROM attendance a WHERE a.participant_id = p.id), ''))"""
NEXT_PLANNED = """(SELECT min(day) FROM (
    SELECT s.planned_start AS day FROM steps s WHERE s.participant_id = p.id AND s.started_on IS NULL
       AND s.planned_start >= day.today
    UNION ALL SELECT s.planned_end FROM steps s WHERE s.participant_id = p.id AND s.ended_on IS NULL
       AND s.planned_end >= day.today
    UNION ALL SELECT v.planned_end_on FROM visitations v WHERE v.participant_id = p.id AND v.left_on IS NULL
       AND v.planned_end_on >= day.today))"""


def caseload(db, user, coordinator_id, today):
    """The enrolled women of one coordinator (every coordinator's with None) that `user` may follow, with
    what makes each urgent, most urgent first."""
    followed, params = access.findable_participants(user)
    rows = db.execute(
        f"""WITH day(today) AS (SELECT ?)
           SELECT p.id, p.first_name, p.language, p.coordinator_id,
                  coalesce(nullif(u.display_name, ''), u.username) AS coordinator_name,
                  v.enrolled_on, {LAST_CONTACT} AS last_contact_at, {CURRENT_STEP} AS current_step,
                  {LAST_ACTIVITY} AS last_activity_on, {NEXT_PLANNED} AS next_planned_on,
                  (SELECT max(a.asked_on) FROM progress_answers a WHERE a.participant_id = p.id) AS last_asked_on
             FROM day, participants p JOIN visitations v ON v.participant_id = p.id AND v.left_on IS NULL
             LEFT JOIN users u ON u.id = p.coordinator_id
            WHERE p.stage = 'enrolled' AND (? IS NULL OR p.coordinator_id = ?) AND {followed}""",
        [today.isoformat(), coordinator_id, coordinator_id, *params],
    ).fetchall()
    women = [urgency_of(row, today) for row in rows]
    return sorted(women, key=lambda woman: woman["order"])


def as_day(value):
    """A stored day or moment as a local date, or None for ''."""
    if not value:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value).astimezone(clock.LOCAL).date()


def urgency_of(row, today):
    """One woman of the caseload, with her colours: days since the last contact and weeks without activity."""
    last_contact = as_day(row["last_contact_at"])
    last_activity = as_day(row["last_activity_on"])
    busy = row["current_step"] is not None
    contact = pathway.contact_urgency(last_contact, today)
    gap = pathway.activity_gap_too_long(last_activity, today, busy, as_day(row["enrolled_on"]))
    days = (today - last_contact).days if last_contact else None
    rank = {"red": 0, "amber": 1, "": 2}[contact] - (1 if gap else 0)
    answers_due = pathway.progress_due_on(as_day(row["enrolled_on"]), as_day(row["last_asked_on"])) <= today
    return dict(row) | {
        "answers_due": answers_due,
        "days_since_contact": days,
        "contact_urgency": contact,
        "weeks_without_activity": pathway.weeks_without_activity(last_activity, today, busy),
        "activity_gap": gap,
        # Red gaps first, then by days since the last contact (never contacted first), then by name.
        "order": (rank, -(days if days is not None else 10**6), row["first_name"].casefold(), row["id"]),
    }


def caseload_size(db, coordinator_id):
    """How many enrolled women a coordinator follows."""
    row = db.execute(
        "SELECT count(*) AS n FROM participants WHERE stage = 'enrolled' AND coordinator_id = ?",
        [coordinator_id],
    ).fetchone()
    return row["n"]


def coordinators_with_caseloads(db):
    """Coordinators and how many enrolled women each follows."""
    return db.execute(
        """SELECT u.id, coalesce(nullif(u.display_name, ''), u.username) AS name,
                  (SELECT count(*) FROM participants p WHERE p.coordinator_id = u.id AND p.stage = 'enrolled')
                      AS women
             FROM users u WHERE u.role = 'coordinator' AND u.active = 1 ORDER BY name COLLATE NOCASE"""
    ).fetchall()


def phone_of(db, participant_id):
    row = db.execute("SELECT phone FROM participants WHERE id = ?", [participant_id]).fetchone()
    return row["phone"] if row else None


# ---- Contacts ---------------------------------------------------------------------------------------------


def contact_item(db, item_id):
    """The contact stored from an outbox item, or None."""
    return db.execute("SELECT content_hash, participant_id FROM contacts WHERE id = ?", [item_id]).fetchone()


def add_contact(db, item_id, digest, participant_id, kind, contacted_at, note, user_id):
    db.execute(
        """INSERT INTO contacts (id, content_hash, participant_id, kind, contacted_at, note, recorded_by,
                  received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [item_id, digest, participant_id, kind, contacted_at, note, user_id, clock.now_iso()],
    )
    met(db, participant_id)


def contacts_of(db, participant_id, limit=None):
    """Her contacts, the latest first, with who recorded each."""
    return db.execute(
        """SELECT c.kind, c.contacted_at, c.note, coalesce(nullif(u.display_name, ''), u.username) AS staff
             FROM contacts c LEFT JOIN users u ON u.id = c.recorded_by
            WHERE c.participant_id = ? ORDER BY c.contacted_at DESC LIMIT ?""",
        [participant_id, limit or -1],
    ).fetchall()


def is_erased(db, participant_id):
    row = db.execute("SELECT 1 FROM erased_participants WHERE participant_id = ?", [participant_id])
    return row.fetchone() is not None


def stage_of(db, participant_id):
    row = db.execute("SELECT stage, withdrawn_at FROM participants WHERE id = ?", [participant_id]).fetchone()
    return row


# ---- Pathway steps and companies --------------------------------------------------------------------------

STEP_COLUMNS = (
    "kind",
    "company_id",
    "planned_start",
    "planned_end",
    "started_on",
    "ended_on",
    "full_time",
    "hours_per_week",
)


def steps_of(db, participant_id):
    """Her steps, in the order they came (started, else planned), with each company's name."""
    return db.execute(
        """SELECT s.*, m.name AS company_name,
                  (SELECT count(*) FROM step_hours h WHERE h.step_id = s.id) AS months_recorded
             FROM steps s LEFT JOIN companies m ON m.id = s.company_id
            WHERE s.participant_id = ?
            ORDER BY coalesce(s.started_on, s.planned_start, s.recorded_at), s.id""",
        [participant_id],
    ).fetchall()


def step(db, participant_id, step_id):
    """One of her steps, or None (a step of another woman is None too)."""
    return db.execute(
        """SELECT s.*, m.name AS company_name FROM steps s LEFT JOIN companies m ON m.id = s.company_id
            WHERE s.id = ? AND s.participant_id = ?""",
        [step_id, participant_id],
    ).fetchone()


def add_step(db, participant_id, values, user_id):
    columns = ", ".join(STEP_COLUMNS)
    marks = ", ".join(f":{name}" for name in STEP_COLUMNS)
    return db.execute(
        f"""INSERT INTO steps (participant_id, {columns}, recorded_by, recorded_at)
            VALUES (:participant_id, {marks}, :recorded_by, :recorded_at)""",
        values | {"participant_id": participant_id, "recorded_by": user_id, "recorded_at": clock.now_iso()},
    ).lastrowid


def change_step(db, step_id, values):
    assignments = ", ".join(f"{name} = :{name}" for name in STEP_COLUMNS)
    db.execute(f"UPDATE steps SET {assignments} WHERE id = :id", values | {"id": step_id})


def delete_step(db, step_id):
    db.execute("DELETE FROM steps WHERE id = ?", [step_id])


def clashing_step(db, participant_id, values, step_id=None):
    """A step of the same kind at the same company whose time overlaps this one's: the same step twice."""
    start = values["started_on"] or values["planned_start"]
    end = values["ended_on"] or values["planned_end"] or "9999-12-31"
    return db.execute(
        """SELECT id FROM steps WHERE participant_id = ? AND kind = ? AND company_id IS ? AND id IS NOT ?
              AND coalesce(started_on, planned_start) <= ? AND coalesce(ended_on, planned_end, '9999-12-31') >= ?""",
        [participant_id, values["kind"], values["company_id"], step_id, end, start],
    ).fetchone()


def first_enrolled_on(db, participant_id):
    row = db.execute(
        "SELECT min(enrolled_on) AS day FROM visitations WHERE participant_id = ?", [participant_id]
    ).fetchone()
    return date.fromisoformat(row["day"]) if row["day"] else None


def hours_of(db, step_id):
    """A small job's hours per month, the latest month first."""
    return db.execute(
        "SELECT month, hours FROM step_hours WHERE step_id = ? ORDER BY month DESC", [step_id]
    ).fetchall()


def put_hours(db, step_id, month, hours):
    db.execute(
        """INSERT INTO step_hours (step_id, month, hours) VALUES (?, ?, ?)
           ON CONFLICT (step_id, month) DO UPDATE SET hours = excluded.hours""",
        [step_id, month, hours],
    )


def hours_in_months(db, participant_id, months):
    """Her hours in paid work, summed over the given months ("YYYY-MM")."""
    marks = ", ".join("?" * len(months))
    row = db.execute(
        f"""SELECT coalesce(sum(h.hours), 0) AS hours FROM step_hours h JOIN steps s ON s.id = h.step_id
             WHERE s.participant_id = ? AND h.month IN ({marks})""",
        [participant_id, *months],
    ).fetchone()
    return row["hours"]


def groups_as_steps(db, participant_id):
    """Her network groups, shown among her steps."""
    return db.execute(
        """SELECT g.id, g.name, n.state, n.joined_at, n.left_at FROM enrolments n JOIN groups g ON g.id = n.group_id
            WHERE n.participant_id = ? AND n.state <> 'waitlist' ORDER BY n.joined_at""",
        [participant_id],
    ).fetchall()


COMPANY_COLUMNS = ("name", "address", "contact_name", "contact_phone", "cvr")


def companies(db):
    return db.execute(
        """SELECT m.*, (SELECT count(*) FROM steps s WHERE s.company_id = m.id) AS steps
             FROM companies m ORDER BY m.name COLLATE NOCASE"""
    ).fetchall()


def company(db, company_id):
    return db.execute("SELECT * FROM companies WHERE id = ?", [company_id]).fetchone()


def company_by_cvr(db, cvr, other_than=None):
    return db.execute("SELECT id FROM companies WHERE cvr = ? AND id IS NOT ?", [cvr, other_than]).fetchone()


def add_company(db, values, user_id):
    return db.execute(
        """INSERT INTO companies (name, address, contact_name, contact_phone, cvr, created_at, created_by)
           VALUES (:name, :address, :contact_name, :contact_phone, :cvr, :created_at, :created_by)""",
        values | {"created_at": clock.now_iso(), "created_by": user_id},
    ).lastrowid


def change_company(db, company_id, values):
    assignments = ", ".join(f"{name} = :{name}" for name in COMPANY_COLUMNS)
    db.execute(f"UPDATE companies SET {assignments} WHERE id = :id", values | {"id": company_id})


def steps_at_company(db, user, company_id):
    """The steps at a company, of the women `user` may follow (others are counted, not named)."""
    findable, params = access.findable_participants(user)
    return db.execute(
        f"""SELECT s.id, s.kind, s.planned_start, s.planned_end, s.started_on, s.ended_on, p.id AS participant_id,
                  p.first_name
             FROM steps s JOIN participants p ON p.id = s.participant_id
            WHERE s.company_id = ? AND {findable}
            ORDER BY coalesce(s.started_on, s.planned_start) DESC""",
        [company_id, *params],
    ).fetchall()


# ---- Progress on the four aims, and her CV ----------------------------------------------------------------

AIMS = ("work_identity", "society_norms", "workplace_expectations", "health_barriers")


def add_progress(db, participant_id, asked_on, answers, language, user_id):
    db.execute(
        """INSERT INTO progress_answers (participant_id, asked_on, work_identity, society_norms,
                  workplace_expectations, health_barriers, language, asked_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [participant_id, asked_on, *(answers[aim] for aim in AIMS), language, user_id],
    )


def progress_of(db, participant_id):
    """Her answers, oldest first."""
    return db.execute(
        "SELECT * FROM progress_answers WHERE participant_id = ? ORDER BY asked_on, id", [participant_id]
    ).fetchall()


def cv_of(db, participant_id):
    return db.execute("SELECT * FROM cvs WHERE participant_id = ?", [participant_id]).fetchone()


CV_FIELDS = (
    "languages",
    "schooling",
    "work_in_denmark",
    "work_abroad",
    "skills",
    "wanted_work",
    "hours",
    "travel",
)


def save_cv(db, participant_id, values, consent, user_id):
    """Write her CV; `consent` (her yes to show it to employers) is recorded with the day, her language and
    who asked, once; taking it back clears it."""
    now = clock.now_iso()
    columns = ", ".join(CV_FIELDS)
    marks = ", ".join(f":{name}" for name in CV_FIELDS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in CV_FIELDS)
    db.execute(
        f"""INSERT INTO cvs (participant_id, {columns}, updated_at, updated_by)
            VALUES (:participant_id, {marks}, :now, :user_id)
            ON CONFLICT (participant_id) DO UPDATE SET {updates}, updated_at = excluded.updated_at,
                                                      updated_by = excluded.updated_by""",
        values | {"participant_id": participant_id, "now": now, "user_id": user_id},
    )
    if consent:
        db.execute(
            """UPDATE cvs SET consent_on = ?, consent_language = (SELECT language FROM participants WHERE id = ?),
                      consent_recorded_by = ? WHERE participant_id = ? AND consent_on IS NULL""",
            [clock.today().isoformat(), participant_id, user_id, participant_id],
        )
    else:
        db.execute(
            """UPDATE cvs SET consent_on = NULL, consent_language = NULL, consent_recorded_by = NULL
                WHERE participant_id = ?""",
            [participant_id],
        )


# ---- Her record: corrections and the timeline -------------------------------------------------------------


def other_woman_with_phone(db, phone, participant_id):
    row = db.execute(
        "SELECT id FROM participants WHERE phone = ? AND id <> ?", [phone, participant_id]
    ).fetchone()
    return row is not None


RECORD_DETAILS = "first_name, phone, language, estate_id, year_of_birth, coordinator_id"


def record_details(db, participant_id):
    """What a coordinator may correct on her record."""
    return db.execute(f"SELECT {RECORD_DETAILS} FROM participants WHERE id = ?", [participant_id]).fetchone()


def correct_record(db, participant_id, values):
    """Correct her details; return the names of the fields that changed (never their values: they go to the
    audit log)."""
    before = record_details(db, participant_id)
    changed = [name for name in values if before[name] != values[name]]
    if changed:
        assignments = ", ".join(f"{name} = :{name}" for name in changed)
        db.execute(
            f"UPDATE participants SET {assignments} WHERE id = :id",
            {name: values[name] for name in changed} | {"id": participant_id},
        )
    return changed


# Each kind of event on her timeline: (SQL giving at, what, detail, staff), ordered by the caller.
TIMELINE = {
    "signup": """SELECT s.recorded_at AS at, s.channel AS detail, u.username AS staff FROM signups s
                   LEFT JOIN users u ON u.id = s.recorded_by WHERE s.participant_id = :id AND s.awaiting = 0
                 UNION ALL  -- registered before sign-ups were kept (the demo, an import)
                 SELECT p.registered_at, p.channel, u.username FROM participants p
                   LEFT JOIN users u ON u.id = p.registered_by
                  WHERE p.id = :id AND NOT EXISTS (SELECT 1 FROM signups s WHERE s.participant_id = p.id)""",
    "call": """SELECT c.called_at AS at, c.outcome AS detail, u.username AS staff FROM calls c
                 LEFT JOIN users u ON u.id = c.called_by WHERE c.participant_id = :id""",
    "contact": """SELECT c.contacted_at AS at, c.kind AS detail, u.username AS staff FROM contacts c
                    LEFT JOIN users u ON u.id = c.recorded_by WHERE c.participant_id = :id""",
    "enrolled": """SELECT v.enrolled_on AS at, v.benefit AS detail, u.username AS staff FROM visitations v
                     LEFT JOIN users u ON u.id = v.recorded_by WHERE v.participant_id = :id""",
    "left": """SELECT v.left_on AS at, v.leaving_reason AS detail, NULL AS staff FROM visitations v
                 WHERE v.participant_id = :id AND v.left_on IS NOT NULL""",
    "group_joined": """SELECT n.joined_at AS at, g.name AS detail, NULL AS staff FROM enrolments n
                         JOIN groups g ON g.id = n.group_id WHERE n.participant_id = :id AND n.joined_at IS NOT NULL""",
    "group_left": """SELECT n.left_at AS at, g.name AS detail, NULL AS staff FROM enrolments n
                       JOIN groups g ON g.id = n.group_id WHERE n.participant_id = :id AND n.left_at IS NOT NULL""",
    "attended": """SELECT a.checked_in_at AS at, g.name AS detail, u.username AS staff FROM attendance a
                     JOIN sessions s ON s.id = a.session_id JOIN groups g ON g.id = s.group_id
                     LEFT JOIN users u ON u.id = a.recorded_by WHERE a.participant_id = :id""",
    "step_started": """SELECT s.started_on AS at, s.kind AS detail, NULL AS staff FROM steps s
                         WHERE s.participant_id = :id AND s.started_on IS NOT NULL""",
    "step_planned": """SELECT s.planned_start AS at, s.kind AS detail, NULL AS staff FROM steps s
                         WHERE s.participant_id = :id AND s.started_on IS NULL AND s.planned_start IS NOT NULL""",
    "step_ended": """SELECT s.ended_on AS at, s.kind AS detail, NULL AS staff FROM steps s
                       WHERE s.participant_id = :id AND s.ended_on IS NOT NULL""",
    "progress": """SELECT p.asked_on AS at, '' AS detail, u.username AS staff FROM progress_answers p
                     LEFT JOIN users u ON u.id = p.asked_by WHERE p.participant_id = :id""",
    "text": """SELECT t.sent_at AS at, t.kind AS detail, u.username AS staff FROM texts_sent t
                 LEFT JOIN users u ON u.id = t.sent_by WHERE t.participant_id = :id AND t.delivered = 1""",
    "change": """SELECT a.at, a.action AS detail, u.username AS staff FROM audit_log a
                   LEFT JOIN users u ON u.id = a.user_id
                  WHERE a.participant_id = :id AND a.action IN ('participant.edit', 'participant.take_on',
                        'cv.save', 'step.change', 'step.delete', 'step.hours', 'signup.join', 'signup.separate',
                        'participant.withdraw', 'participant.withdraw_undo')""",
}


def timeline(db, participant_id):
    """Everything that happened on her way, newest first: (day or moment, what, detail, staff)."""
    events = []
    for what, sql in TIMELINE.items():
        for row in db.execute(sql, {"id": participant_id}):
            events.append({"at": row["at"], "what": what, "detail": row["detail"], "staff": row["staff"]})
    # Days sort as the start of that day: "2027-01-13" before "2027-01-13T08:00".
    return sorted(events, key=lambda event: (str(event["at"]), event["what"]), reverse=True)
