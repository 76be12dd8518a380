"""The women in the programme, as staff find and follow them: all the SQL of this area."""

import access

FOUND = """p.id, p.first_name, p.phone, e.name AS estate_name
           FROM participants p LEFT JOIN estates e ON e.id = p.estate_id"""


def find_participants(db, user, text, limit=10):
    """Women `user` may find whose first name starts with `text`, or whose phone number holds its digits
    (4 or more)."""
    findable, params = access.findable_participants(user)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4 and access.may_search_by_phone(user):
        return db.execute(
            f"SELECT {FOUND} WHERE {findable} AND p.phone LIKE ? ORDER BY p.first_name LIMIT ?",
            [*params, f"%{digits}%", limit],
        ).fetchall()
    return db.execute(
        f"""SELECT {FOUND} WHERE {findable} AND fold(p.first_name) LIKE fold(?) || '%' ESCAPE '\\'
             ORDER BY p.first_name COLLATE NOCASE LIMIT ?""",
        [*params, text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"), limit],
    ).fetchall()


def recent_participants(db, user, limit=50):
    """The women `user` may find, latest registered first."""
    findable, params = access.findable_participants(user)
    return db.execute(
        f"SELECT {FOUND} WHERE {findable} ORDER BY p.registered_at DESC, p.id DESC LIMIT ?",
        [*params, limit],
    ).fetchall()


def participant(db, participant_id):
    """Return her record, or None."""
    return db.execute(
        """SELECT p.id, p.first_name, p.phone, p.language, p.registered_at, p.stage, e.name AS estate_name,
                  p.withdrawn_at, p.withdrawn_how, p.erase_after, p.coordinator_id, p.off_benefit_from,
                  p.off_benefit_until,
                  coalesce(nullif(u.display_name, ''), u.username) AS coordinator_name
             FROM participants p LEFT JOIN estates e ON e.id = p.estate_id
             LEFT JOIN users u ON u.id = p.coordinator_id WHERE p.id = ?""",
        [participant_id],
    ).fetchone()


def take_on(db, participant_id, user_id):
    """Make her one of a coordinator's caseload."""
    db.execute("UPDATE participants SET coordinator_id = ? WHERE id = ?", [user_id, participant_id])


def groups_of(db, participant_id):
    """Every group she is or was in, with her place in it."""
    return db.execute(
        """SELECT g.id, g.name, g.activity, n.state, n.joined_at, n.left_at
             FROM enrolments n JOIN groups g ON g.id = n.group_id
            WHERE n.participant_id = ?
            ORDER BY CASE n.state WHEN 'active' THEN 0 WHEN 'waitlist' THEN 1 ELSE 2 END, g.name""",
        [participant_id],
    ).fetchall()


def issue_card(db, participant_id, code_hash, issued_at):
    """Give her a new printed card; her earlier printed cards stop working (the one on her page stays)."""
    db.execute(
        """UPDATE cards SET replaced_at = ? WHERE participant_id = ? AND link_hash IS NULL
              AND replaced_at IS NULL""",
        [issued_at, participant_id],
    )
    db.execute(
        "INSERT INTO cards (code_hash, participant_id, issued_at) VALUES (?, ?, ?)",
        [code_hash, participant_id, issued_at],
    )


def printed_card_issued(db, participant_id):
    """When her working printed card was issued, or None."""
    row = db.execute(
        """SELECT max(issued_at) AS issued_at FROM cards
            WHERE participant_id = ? AND link_hash IS NULL AND replaced_at IS NULL""",
        [participant_id],
    ).fetchone()
    return row["issued_at"]


def members_without_card(db, group_id, everyone=False):
    """The women enrolled in a group (only those without a working printed card, unless `everyone`)."""
    sql = """SELECT p.id, p.first_name FROM enrolments n JOIN participants p ON p.id = n.participant_id
              WHERE n.group_id = ? AND n.state = 'active'"""
    if not everyone:
        sql += """ AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.participant_id = p.id
                                     AND c.link_hash IS NULL AND c.replaced_at IS NULL)"""
    return db.execute(sql + " ORDER BY p.first_name COLLATE NOCASE", [group_id]).fetchall()
