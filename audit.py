"""The audit log: who did or looked at what, when, and which woman (by id only, never a name or number).

One place writes it, so every look and change is recorded alike. The table is append-only (a trigger
refuses UPDATE, and DELETE of rows younger than the audit retention)."""

from flask import g, has_request_context

import clock

COMMAND_LINE = None  # user_id of an action taken from the command line (shown as "command line")


def record(db, action, participant_id=None, detail="", user_id=...):
    """Write one audit row. `user_id` defaults to the logged-in staff member of this request."""
    if user_id is ...:
        user = g.get("user") if has_request_context() else None
        user_id = user["id"] if user else COMMAND_LINE
    db.execute(
        "INSERT INTO audit_log (at, user_id, action, record, participant_id) VALUES (?, ?, ?, ?, ?)",
        [clock.now_iso(), user_id, action, detail, participant_id],
    )


def of_participant(db, participant_id):
    """Every row about one woman, oldest first, with who did it."""
    return db.execute(
        """SELECT a.at, a.action, a.record, a.user_id, u.username, u.display_name
             FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
            WHERE a.participant_id = ? ORDER BY a.at, a.id""",
        [participant_id],
    ).fetchall()


def search(db, user_id=None, participant_id=None, limit=500):
    """The latest rows, by one staff member and/or about one woman."""
    conditions, params = ["1"], []
    if user_id is not None:
        conditions.append("a.user_id = ?")
        params.append(user_id)
    if participant_id is not None:
        conditions.append("a.participant_id = ?")
        params.append(participant_id)
    return db.execute(
        f"""SELECT a.id, a.at, a.action, a.record, a.participant_id, a.user_id, u.username
              FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
             WHERE {" AND ".join(conditions)} ORDER BY a.id DESC LIMIT ?""",
        [*params, limit],
    ).fetchall()


def delete_older_than(db, cutoff):
    """The retention job's part: rows older than `cutoff` (ISO) go; the trigger lets nothing younger go."""
    db.execute(
        """INSERT INTO settings (key, value, changed_at) VALUES ('audit_kept_from', ?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at""",
        [cutoff, clock.now_iso()],
    )
    return db.execute("DELETE FROM audit_log WHERE at < ?", [cutoff]).rowcount
