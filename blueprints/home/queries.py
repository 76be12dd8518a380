"""What the role home pages show: programme counts."""


def programme_counts(db):
    """Count women in the programme and groups running."""
    row = db.execute(
        """SELECT (SELECT count(*) FROM participants WHERE withdrawn_at IS NULL) AS participants,
                  (SELECT count(*) FROM groups) AS groups,
                  (SELECT count(*) FROM estates) AS estates"""
    ).fetchone()
    return dict(row)


def participants_per_estate(db):
    """Return each estate with its number of women."""
    return db.execute(
        """SELECT e.name, count(p.id) AS participants
             FROM estates e LEFT JOIN participants p ON p.estate_id = e.id AND p.withdrawn_at IS NULL
            GROUP BY e.id ORDER BY e.name"""
    ).fetchall()
