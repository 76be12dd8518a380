"""What the role home pages show: upcoming sessions and programme counts."""

from datetime import UTC, datetime, timedelta


def upcoming_sessions(db, days=7, facilitator_id=None):
    """Return the sessions of the next days, with their group and number of enrolled women."""
    now = datetime.now(UTC)
    sql = """
        SELECT s.id, s.starts_at, s.ends_at, s.topic, s.cancelled_at, s.cancel_reason,
               g.id AS group_id, g.name AS group_name, g.activity, g.place,
               (SELECT count(*) FROM enrolments e
                 WHERE e.group_id = g.id AND e.state = 'active') AS enrolled
          FROM sessions s JOIN groups g ON g.id = s.group_id
         WHERE s.ends_at > ? AND s.starts_at < ?
    """
    params = [now.isoformat(), (now + timedelta(days=days)).isoformat()]
    if facilitator_id is not None:
        sql += " AND g.id IN (SELECT group_id FROM group_facilitators WHERE user_id = ?)"
        params.append(facilitator_id)
    return db.execute(sql + " ORDER BY s.starts_at", params).fetchall()


def programme_counts(db):
    """Count women in the programme and groups running."""
    row = db.execute(
        """SELECT (SELECT count(*) FROM participants) AS participants,
                  (SELECT count(*) FROM groups) AS groups,
                  (SELECT count(*) FROM estates) AS estates"""
    ).fetchone()
    return dict(row)


def participants_per_estate(db):
    return db.execute(
        """SELECT e.name, count(p.id) AS participants
             FROM estates e LEFT JOIN participants p ON p.estate_id = e.id
            GROUP BY e.id ORDER BY e.name"""
    ).fetchall()
