"""A woman's own sessions, for her page and her calendar: all the SQL of this area."""

from ..groups.queries import BRING_COLUMNS


def her_sessions(db, participant_id, since, until=None, limit=None):
    """Sessions from `since` of the groups she is enrolled in or leads, cancelled ones included."""
    sql = f"""
        SELECT s.id, s.starts_at, s.ends_at, s.topic, s.cancelled_at, s.cancel_reason, s.cancel_phrase,
               s.moved_at, s.sequence, coalesce(s.place, g.place) AS place,
               {BRING_COLUMNS},
               g.activity,
               EXISTS (SELECT 1 FROM group_role_models r
                        WHERE r.group_id = g.id AND r.participant_id = :participant) AS leads
          FROM sessions s JOIN groups g ON g.id = s.group_id
         WHERE s.group_id IN (SELECT group_id FROM enrolments WHERE participant_id = :participant AND state = 'active'
                              UNION SELECT group_id FROM group_role_models WHERE participant_id = :participant)
           AND s.ends_at > :since"""
    params = {"participant": participant_id, "since": since}
    if until:
        sql += " AND s.starts_at < :until"
        params["until"] = until
    sql += " ORDER BY s.starts_at"
    if limit:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return db.execute(sql, params).fetchall()


def calendar_fingerprint(db, participant_id, since, until):
    """Changes whenever her calendar would: sessions added, removed, moved, cancelled, described."""
    row = db.execute(
        """SELECT count(*) AS sessions, total(s.id) AS ids, total(s.sequence) AS changes
             FROM sessions s
            WHERE s.group_id IN (SELECT group_id FROM enrolments WHERE participant_id = :participant
                                    AND state = 'active'
                                 UNION SELECT group_id FROM group_role_models WHERE participant_id = :participant)
              AND s.ends_at > :since AND s.starts_at < :until""",
        {"participant": participant_id, "since": since, "until": until},
    ).fetchone()
    return f"{row['sessions']}-{int(row['ids'])}-{int(row['changes'])}"
