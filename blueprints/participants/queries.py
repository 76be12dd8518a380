"""The women in the programme, as staff find and follow them: all the SQL of this area."""

FOUND = """p.id, p.first_name, p.phone, e.name AS estate_name
           FROM participants p LEFT JOIN estates e ON e.id = p.estate_id"""


def find_participants(db, text, limit=10):
    """Women whose first name starts with `text`, or whose phone number holds its digits (4 or more)."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4:
        return db.execute(
            f"SELECT {FOUND} WHERE p.phone LIKE ? ORDER BY p.first_name LIMIT ?",
            [f"%{digits}%", limit],
        ).fetchall()
    return db.execute(
        f"""SELECT {FOUND} WHERE fold(p.first_name) LIKE fold(?) || '%' ESCAPE '\\'
             ORDER BY p.first_name COLLATE NOCASE LIMIT ?""",
        [text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"), limit],
    ).fetchall()


def recent_participants(db, limit=50):
    return db.execute(
        f"SELECT {FOUND} ORDER BY p.registered_at DESC, p.id DESC LIMIT ?",
        [limit],
    ).fetchall()


def participant(db, participant_id):
    return db.execute(
        """SELECT p.id, p.first_name, p.phone, p.language, p.registered_at, p.status, e.name AS estate_name
             FROM participants p LEFT JOIN estates e ON e.id = p.estate_id WHERE p.id = ?""",
        [participant_id],
    ).fetchone()


def groups_of(db, participant_id):
    """Every group she is or was in, with her place in it."""
    return db.execute(
        """SELECT g.id, g.name, g.activity, n.state, n.joined_at, n.left_at
             FROM enrolments n JOIN groups g ON g.id = n.group_id
            WHERE n.participant_id = ?
            ORDER BY CASE n.state WHEN 'active' THEN 0 WHEN 'waitlist' THEN 1 ELSE 2 END, g.name""",
        [participant_id],
    ).fetchall()
