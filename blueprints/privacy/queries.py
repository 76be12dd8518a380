"""Her data protected: withdrawal, erasure, her access export and retention. All the SQL of this area.

Erasure and the export name every table that holds something about one woman. A test walks the schema:
a new table with a participant reference must be added to ERASED_TABLES (or KEPT_BY_ID) and to the export.
"""

import clock
from choices import COMPANY_STEPS, LEFT_FOR_A_RESULT, PROGRESS_AIMS

AIMS = tuple(PROGRESS_AIMS)

# Her way to work, kept in her anonymous tally (months, not days).
OUTCOMES = (
    "enrolled_month",
    "left_month",
    "leaving_reason",
    "company_step",
    "small_job",
    "ordinary_job",
    "education",
    "company_offer",
    "company_offer_month",
    "small_job_month",
    "ordinary_job_month",
    "education_month",
    *(f"{aim}_change" for aim in AIMS),
    "aims_month",
    "left_other_months",
    "reached_month",
    "off_benefit_from_month",
    "off_benefit_until_month",
)

# Every table that holds something about one woman, and how her rows are found: erased in this order
# (rows that point to others first).
ERASED_TABLES = {
    "personal_devices": "token_hash IN (SELECT token_hash FROM personal_links WHERE participant_id = :id)",
    "personal_links": "participant_id = :id",
    "cards": "participant_id = :id",
    "attendance": "participant_id = :id",
    "checkin_items": "participant_id = :id",
    "texts_sent": "participant_id = :id",
    "group_role_models": "participant_id = :id",
    "group_offers": "participant_id = :id",
    "enrolments": "participant_id = :id",
    "step_hours": "step_id IN (SELECT id FROM steps WHERE participant_id = :id)",
    "steps": "participant_id = :id",
    "progress_answers": "participant_id = :id",
    "cvs": "participant_id = :id",
    "contacts": "participant_id = :id",
    "calls": "participant_id = :id",
    "visitations": "participant_id = :id",
    "ways": "participant_id = :id",
    "consents": "participant_id = :id",
    "signups": "participant_id = :id",  # a trigger keeps each sign-up's id in `erasures`
    "participants": "id = :id",
}
# Tables that keep her id after erasure, and nothing else about her: who did what (the audit log, ids
# only) and the ledger of erasures itself.
KEPT_BY_ID = {"audit_log", "erased_participants"}


def participant(db, participant_id):
    return db.execute("SELECT * FROM participants WHERE id = ?", [participant_id]).fetchone()


def is_erased(db, participant_id):
    row = db.execute("SELECT 1 FROM erased_participants WHERE participant_id = ?", [participant_id])
    return row.fetchone() is not None


# ---- Withdrawal -------------------------------------------------------------------------------------------


def record_withdrawal(db, participant_id, withdrawn_at, how, user_id, erase_after):
    db.execute(
        """UPDATE participants SET withdrawn_at = ?, withdrawn_how = ?, withdrawal_recorded_by = ?,
                  erase_after = ? WHERE id = ?""",
        [withdrawn_at, how, user_id, erase_after, participant_id],
    )
    db.execute(
        "UPDATE consents SET withdrawn_at = ? WHERE participant_id = ? AND withdrawn_at IS NULL",
        [withdrawn_at, participant_id],
    )


def undo_withdrawal(db, participant_id, withdrawn_at):
    db.execute(
        """UPDATE participants SET withdrawn_at = NULL, withdrawn_how = NULL, withdrawal_recorded_by = NULL,
                  erase_after = NULL WHERE id = ?""",
        [participant_id],
    )
    db.execute(
        "UPDATE consents SET withdrawn_at = NULL WHERE participant_id = ? AND withdrawn_at = ?",
        [participant_id, withdrawn_at],
    )


def active_groups(db, participant_id):
    """The groups she has a place in or waits for."""
    rows = db.execute(
        "SELECT group_id FROM enrolments WHERE participant_id = ? AND state IN ('active', 'waitlist')",
        [participant_id],
    )
    return [row["group_id"] for row in rows]


def stop_printed_cards(db, participant_id):
    db.execute(
        "UPDATE cards SET replaced_at = ? WHERE participant_id = ? AND replaced_at IS NULL",
        [clock.now_iso(), participant_id],
    )


def awaiting_erasure(db):
    """Women who withdrew and are not erased yet, the soonest first."""
    return db.execute(
        """SELECT id, first_name, withdrawn_at, withdrawn_how, erase_after FROM participants
            WHERE withdrawn_at IS NOT NULL ORDER BY erase_after, id"""
    ).fetchall()


# ---- Erasure ----------------------------------------------------------------------------------------------


def tally_of(db, participant_id):
    """What the programme still reports about her, with nothing that points to her: her way to work by the
    month (from `ways`, as the reports count it), and how her answers on the four aims moved."""
    return db.execute(
        f"""SELECT substr(w.registered_on, 1, 7) AS registered_month, p.channel, p.campaign_id, p.estate_id,
                  p.subgroup, p.language, w.age_band, p.stage AS status,
                  (SELECT count(*) FROM enrolments WHERE participant_id = p.id) AS groups_joined,
                  (SELECT count(*) FROM attendance WHERE participant_id = p.id) AS sessions_attended,
                  substr(w.enrolled_on, 1, 7) AS enrolled_month, substr(w.reached_on, 1, 7) AS reached_month,
                  substr(p.off_benefit_from, 1, 7) AS off_benefit_from_month,
                  substr(p.off_benefit_until, 1, 7) AS off_benefit_until_month,
                  (SELECT substr(left_on, 1, 7) FROM visitations WHERE participant_id = p.id
                    ORDER BY enrolled_on DESC LIMIT 1) AS left_month,
                  (SELECT leaving_reason FROM visitations WHERE participant_id = p.id
                    ORDER BY enrolled_on DESC LIMIT 1) AS leaving_reason,
                  EXISTS (SELECT 1 FROM steps WHERE participant_id = p.id AND started_on IS NOT NULL
                             AND kind IN ({", ".join("?" * len(COMPANY_STEPS))})) AS company_step,
                  w.small_job_on IS NOT NULL AS small_job, w.ordinary_job_on IS NOT NULL AS ordinary_job,
                  w.education_on IS NOT NULL AS education, w.company_offer_on IS NOT NULL AS company_offer,
                  substr(w.company_offer_on, 1, 7) AS company_offer_month,
                  substr(w.small_job_on, 1, 7) AS small_job_month,
                  substr(w.ordinary_job_on, 1, 7) AS ordinary_job_month,
                  substr(w.education_on, 1, 7) AS education_month,
                  {", ".join(f"l.{aim} - f.{aim} AS {aim}_change" for aim in AIMS)},
                  substr(l.asked_on, 1, 7) AS aims_month,
                  (SELECT json_group_array(DISTINCT substr(left_on, 1, 7)) FROM visitations
                    WHERE participant_id = p.id AND left_on IS NOT NULL
                      AND leaving_reason NOT IN ({", ".join("?" * len(LEFT_FOR_A_RESULT))})) AS left_other_months
             FROM participants p JOIN ways w ON w.participant_id = p.id
             LEFT JOIN progress_answers f ON f.id = (SELECT id FROM progress_answers WHERE participant_id = p.id
                                                      ORDER BY asked_on, id LIMIT 1)
             LEFT JOIN progress_answers l ON l.id = (SELECT id FROM progress_answers WHERE participant_id = p.id
                                                      ORDER BY asked_on DESC, id DESC LIMIT 1) AND l.id <> f.id
            WHERE p.id = ?""",
        [*COMPANY_STEPS, *LEFT_FOR_A_RESULT, participant_id],
    ).fetchone()


def add_tally(db, tally, erased_month, reason):
    columns = (
        "registered_month",
        "channel",
        "campaign_id",
        "estate_id",
        "subgroup",
        "language",
        "age_band",
        "status",
        "groups_joined",
        "sessions_attended",
        *OUTCOMES,
    )
    db.execute(
        f"""INSERT INTO erased_tallies (erased_month, reason, {", ".join(columns)})
            VALUES (?, ?, {", ".join("?" * len(columns))})""",
        [erased_month, reason, *(tally[key] for key in columns)],
    )


def count_attendance_anonymously(db, participant_id):
    """Her attendance stays in each session's total, as a number."""
    db.execute(
        """UPDATE sessions SET erased_attendance = erased_attendance + 1
            WHERE id IN (SELECT session_id FROM attendance WHERE participant_id = ?)""",
        [participant_id],
    )


def delete_everything_about(db, participant_id):
    """Delete every row that names or points to her, table by table; return {table: rows deleted}."""
    return {
        table: db.execute(f"DELETE FROM {table} WHERE {condition}", {"id": participant_id}).rowcount
        for table, condition in ERASED_TABLES.items()
    }


def signup_ids_of(db, participant_id):
    return [
        row["id"] for row in db.execute("SELECT id FROM signups WHERE participant_id = ?", [participant_id])
    ]


def remember_erasure(db, participant_id, signup_ids, erased_at):
    """Her id and her sign-ups' ids in the database's own ledger, if they are not there yet."""
    erased_at = erased_at or clock.now_iso()
    db.execute(
        "INSERT OR IGNORE INTO erased_participants (participant_id, erased_at, reason) VALUES (?, ?, 'ledger')",
        [participant_id, erased_at],
    )
    for signup_id in signup_ids:
        db.execute(
            "INSERT OR IGNORE INTO erasures (signup_id, erased_at) VALUES (?, ?)", [str(signup_id), erased_at]
        )


def add_to_ledger(db, participant_id, reason):
    db.execute(
        "INSERT INTO erased_participants (participant_id, erased_at, reason) VALUES (?, ?, ?)",
        [participant_id, clock.now_iso(), reason],
    )


# ---- Retention --------------------------------------------------------------------------------------------


def due_for_erasure(db, now_iso):
    """Women whose withdrawal's grace period has passed."""
    rows = db.execute(
        "SELECT id FROM participants WHERE erase_after IS NOT NULL AND erase_after <= ? ORDER BY id",
        [now_iso],
    )
    return [row["id"] for row in rows]


def left_every_group(db):
    """Women who left the programme, or were in a group and have left every group (and did not withdraw:
    that has its own rule)."""
    rows = db.execute(
        """SELECT p.id FROM participants p
            WHERE p.withdrawn_at IS NULL
              AND (p.stage = 'left'
                   OR (EXISTS (SELECT 1 FROM enrolments n WHERE n.participant_id = p.id)
                       AND NOT EXISTS (SELECT 1 FROM enrolments n WHERE n.participant_id = p.id
                                          AND n.state IN ('active', 'waitlist'))))
            ORDER BY p.id"""
    )
    return [row["id"] for row in rows]


def never_joined_since(db, registered_before):
    """Women whose last sign-up (or consent) is older than a moment and who never joined a group, came to a
    session, or were offered to a group."""
    rows = db.execute(
        """SELECT p.id FROM participants p
            WHERE coalesce((SELECT max(c.given_at) FROM consents c WHERE c.participant_id = p.id),
                           p.registered_at) < ?
              AND p.registered_at < ? AND p.withdrawn_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM group_offers o WHERE o.participant_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM enrolments n WHERE n.participant_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.participant_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM group_role_models r WHERE r.participant_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM visitations v WHERE v.participant_id = p.id)
            ORDER BY p.id""",
        [registered_before, registered_before],
    )
    return [row["id"] for row in rows]


def set_aside_before(db, called_before):
    """Women set aside after calls without an answer, or closed (not interested now, a wrong number), whose
    last call is older than a moment, and who were never enrolled."""
    rows = db.execute(
        """SELECT p.id FROM participants p
            WHERE p.stage IN ('set_aside', 'closed') AND p.withdrawn_at IS NULL
              AND (SELECT max(c.called_at) FROM calls c WHERE c.participant_id = p.id) < ?
              AND NOT EXISTS (SELECT 1 FROM visitations v WHERE v.participant_id = p.id)
            ORDER BY p.id""",
        [called_before],
    )
    return [row["id"] for row in rows]


# ---- Her access export (GDPR art. 15) ---------------------------------------------------------------------

# Everything held about her, table by table, as she would read it: names of groups and campaigns, not ids.
EXPORTED_TABLES = {
    "participants": """SELECT p.id, p.first_name, p.phone, p.language, e.name AS estate, p.year_of_birth,
                              p.subgroup, p.interests, p.availability, p.childcare, p.stage, p.channel,
                              c.name AS campaign, p.registered_at, p.withdrawn_at, p.withdrawn_how, p.erase_after,
                              p.off_benefit_from, p.off_benefit_until
                         FROM participants p LEFT JOIN estates e ON e.id = p.estate_id
                         LEFT JOIN campaigns c ON c.id = p.campaign_id WHERE p.id = :id""",
    "consents": """SELECT c.given_at, c.withdrawn_at, c.language, t.version, t.language AS text_language, t.text
                     FROM consents c JOIN consent_texts t ON t.id = c.consent_text_id
                    WHERE c.participant_id = :id ORDER BY c.given_at""",
    "signups": """SELECT s.channel, m.name AS campaign, s.recorded_at, s.received_at, s.first_name, s.details,
                         s.merged, coalesce(nullif(u.display_name, ''), u.username, '') AS staff
                    FROM signups s LEFT JOIN campaigns m ON m.id = s.campaign_id
                    LEFT JOIN users u ON u.id = s.recorded_by
                   WHERE s.participant_id = :id AND s.awaiting = 0 ORDER BY s.recorded_at""",
    "enrolments": """SELECT g.name AS group_name, n.state, n.joined_at, n.left_at
                       FROM enrolments n JOIN groups g ON g.id = n.group_id
                      WHERE n.participant_id = :id ORDER BY n.joined_at""",
    "group_role_models": """SELECT g.name AS group_name FROM group_role_models r JOIN groups g ON g.id = r.group_id
                             WHERE r.participant_id = :id""",
    "group_offers": """SELECT g.name AS group_name, o.offered_at FROM group_offers o JOIN groups g ON g.id = o.group_id
                        WHERE o.participant_id = :id ORDER BY o.offered_at""",
    "attendance": """SELECT g.name AS group_name, s.starts_at, a.checked_in_at, a.method,
                            coalesce(nullif(u.display_name, ''), u.username, '') AS staff
                       FROM attendance a JOIN sessions s ON s.id = a.session_id JOIN groups g ON g.id = s.group_id
                       LEFT JOIN users u ON u.id = a.recorded_by
                      WHERE a.participant_id = :id ORDER BY s.starts_at""",
    "checkin_items": """SELECT i.received_at, i.status, i.reason, s.starts_at
                          FROM checkin_items i LEFT JOIN sessions s ON s.id = i.session_id
                         WHERE i.participant_id = :id ORDER BY i.received_at""",
    "texts_sent": """SELECT t.kind, t.sent_at, t.delivered, s.starts_at
                       FROM texts_sent t LEFT JOIN sessions s ON s.id = t.session_id
                      WHERE t.participant_id = :id ORDER BY t.sent_at""",
    "cards": """SELECT issued_at, replaced_at, link_hash IS NOT NULL AS on_her_page FROM cards
                 WHERE participant_id = :id ORDER BY issued_at""",
    "personal_links": """SELECT created_at, first_used_at, revoked_at FROM personal_links
                          WHERE participant_id = :id ORDER BY created_at""",
    "personal_devices": """SELECT d.created_at FROM personal_devices d
                             JOIN personal_links l ON l.token_hash = d.token_hash
                            WHERE l.participant_id = :id ORDER BY d.created_at""",
    "calls": """SELECT c.called_at, c.outcome, c.meeting_on, coalesce(nullif(u.display_name, ''), u.username, '') AS staff
                  FROM calls c LEFT JOIN users u ON u.id = c.called_by
                 WHERE c.participant_id = :id ORDER BY c.called_at""",
    "visitations": """SELECT v.enrolled_on, v.benefit, v.action_plan, v.action_plan_on, v.planned_end_on, v.left_on,
                             v.leaving_reason, coalesce(nullif(u.display_name, ''), u.username, '') AS coordinator
                        FROM visitations v LEFT JOIN users u ON u.id = v.coordinator_id
                       WHERE v.participant_id = :id ORDER BY v.enrolled_on""",
    "contacts": """SELECT c.contacted_at, c.kind AS contact_kind, c.note,
                          coalesce(nullif(u.display_name, ''), u.username, '') AS staff
                     FROM contacts c LEFT JOIN users u ON u.id = c.recorded_by
                    WHERE c.participant_id = :id ORDER BY c.contacted_at""",
    "steps": """SELECT s.kind AS step_kind, m.name AS company, s.planned_start, s.planned_end, s.started_on, s.ended_on,
                       s.full_time, s.hours_per_week
                  FROM steps s LEFT JOIN companies m ON m.id = s.company_id
                 WHERE s.participant_id = :id ORDER BY coalesce(s.started_on, s.planned_start)""",
    "step_hours": """SELECT s.kind AS step_kind, h.month, h.hours FROM step_hours h JOIN steps s ON s.id = h.step_id
                      WHERE s.participant_id = :id ORDER BY h.month""",
    "ways": """SELECT age_band, reached_on, enrolled_on AS first_enrolled_on, company_offer_on, small_job_on,
                      ordinary_job_on, education_on FROM ways WHERE participant_id = :id""",
    "progress_answers": """SELECT asked_on, work_identity, society_norms, workplace_expectations, health_barriers
                             FROM progress_answers WHERE participant_id = :id ORDER BY asked_on""",
    "cvs": """SELECT languages, schooling, work_in_denmark, work_abroad, skills, wanted_work, hours, travel,
                     consent_on, updated_at FROM cvs WHERE participant_id = :id""",
    "audit_log": """SELECT a.at, a.action, coalesce(u.display_name, u.username, '') AS staff
                      FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
                     WHERE a.participant_id = :id ORDER BY a.at, a.id""",
}
# A sign-up with her number that waits for a coordinator may be another woman's (a shared phone): it is not
# in her export until a coordinator says it is hers. The ledger of erasures holds nothing about a woman who
# can still ask (she is not erased).
NOT_EXPORTED = {"erased_participants"}


def everything_about(db, participant_id):
    """{table: [row as dict]} for every table that holds something about her."""
    return {
        table: [dict(row) for row in db.execute(sql, {"id": participant_id})]
        for table, sql in EXPORTED_TABLES.items()
    }
