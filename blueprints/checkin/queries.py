"""Check-in: whose card it is, attendance, the roster and the register. All the SQL of this area."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import access
import clock

ROSTER_DAYS = 7


def session_for_checkin(db, session_id):
    """The session with its group, or None."""
    return db.execute(
        "SELECT id, group_id, starts_at, ends_at, cancelled_at FROM sessions WHERE id = ?", [session_id]
    ).fetchone()


def card_holder(db, code_hash):
    """Whose card this is, and whether it was replaced; None for a card never issued."""
    return db.execute(
        """SELECT c.participant_id, c.replaced_at, p.first_name FROM cards c
             JOIN participants p ON p.id = c.participant_id WHERE c.code_hash = ? AND p.withdrawn_at IS NULL""",
        [code_hash],
    ).fetchone()


def participant_name(db, participant_id):
    """Return her first name, or None for a woman not known."""
    row = db.execute(
        "SELECT first_name FROM participants WHERE id = ? AND withdrawn_at IS NULL", [participant_id]
    ).fetchone()
    return row["first_name"] if row else None


def is_enrolled(db, group_id, participant_id):
    """True when she has a place in the group (not only on its waitlist)."""
    row = db.execute(
        "SELECT 1 FROM enrolments WHERE group_id = ? AND participant_id = ? AND state = 'active'",
        [group_id, participant_id],
    ).fetchone()
    return row is not None


def record_checkin(db, session_id, participant_id, scanned_at, method, enrolled, user_id, client_id):
    """Record her attendance; return False when she was already checked in to this session."""
    return (
        db.execute(
            """INSERT INTO attendance (session_id, participant_id, checked_in_at, received_at, method,
                                       enrolled, recorded_by, client_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (session_id, participant_id) DO NOTHING""",
            [
                session_id,
                participant_id,
                scanned_at,
                clock.now_iso(),
                method,
                int(enrolled),
                user_id,
                client_id,
            ],
        ).rowcount
        == 1
    )


def undo_checkin(db, item_id):
    """Delete the attendance a check-in item made; return True when there was one."""
    return db.execute("DELETE FROM attendance WHERE client_id = ?", [item_id]).rowcount == 1


def answered_item(db, item_id):
    """Return the answer kept for a check-in item, or None if it was never answered."""
    return db.execute("SELECT * FROM checkin_items WHERE id = ?", [item_id]).fetchone()


def remember_answer(db, item_id, content_hash, status, reason, participant_id, session_id, user_id):
    """Keep the answer to a check-in item, accepted or refused, so that a resend gets the same one."""
    db.execute(
        """INSERT INTO checkin_items (id, content_hash, status, reason, participant_id, received_at,
                                      session_id, recorded_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [item_id, content_hash, status, reason, participant_id, clock.now_iso(), session_id, user_id],
    )


def roster(db, user, days=ROSTER_DAYS):
    """Her sessions from the start of today for `days` days, each with who may come: first names and
    card hashes only, what a phone needs to check women in without a connection."""
    start = clock.start_of_today()
    visible, params = access.visible_groups(user)
    sessions = db.execute(
        f"""SELECT s.id, s.group_id, g.name AS group_name, g.activity, s.starts_at, s.ends_at,
                   coalesce(s.place, g.place) AS place, s.cancelled_at,
                   (SELECT count(*) FROM attendance a WHERE a.session_id = s.id) AS checked_in,
                   (SELECT json_group_array(a.participant_id) FROM attendance a WHERE a.session_id = s.id)
                       AS checked_in_ids
              FROM sessions s JOIN groups g ON g.id = s.group_id
             WHERE s.starts_at >= ? AND s.starts_at < ? AND {visible}
             ORDER BY s.starts_at""",
        [
            start.astimezone(UTC).isoformat(),
            (start + timedelta(days=days)).astimezone(UTC).isoformat(),
            *params,
        ],
    ).fetchall()
    members = group_rosters(db, {row["group_id"] for row in sessions})
    return [
        dict(row)
        | {
            "cancelled": row["cancelled_at"] is not None,
            "checked_in_ids": json.loads(row["checked_in_ids"]),
            "roster": members.get(row["group_id"], []),
        }
        for row in sessions
    ]


def group_rosters(db, group_ids):
    """{group_id: [{participant_id, first_name, code_hash, code_hashes}]} for the women enrolled."""
    if not group_ids:
        return {}
    rows = db.execute(
        f"""SELECT n.group_id, p.id AS participant_id, p.first_name,
                   (SELECT json_group_array(c.code_hash) FROM cards c
                     WHERE c.participant_id = p.id AND c.replaced_at IS NULL) AS code_hashes
              FROM enrolments n JOIN participants p ON p.id = n.participant_id
             WHERE n.state = 'active' AND n.group_id IN ({", ".join("?" * len(group_ids))})
             ORDER BY p.first_name COLLATE NOCASE""",
        sorted(group_ids),
    ).fetchall()
    result = {}
    for row in rows:
        hashes = json.loads(row["code_hashes"])
        result.setdefault(row["group_id"], []).append(
            {
                "participant_id": row["participant_id"],
                "first_name": row["first_name"],
                "code_hash": hashes[-1] if hashes else None,
                "code_hashes": hashes,
            }
        )
    return result


def register(db, group_id, since, until):
    """The attendance register of a group between two moments: its sessions, the women, who came when."""
    # `unnamed`: women who came and are no longer named, counted still (consent withdrawn, or erased).
    sessions = db.execute(
        """SELECT s.id, s.starts_at, s.ends_at, s.cancelled_at,
                  s.erased_attendance + (SELECT count(*) FROM attendance a JOIN participants p ON p.id = a.participant_id
                                          WHERE a.session_id = s.id AND p.withdrawn_at IS NOT NULL) AS unnamed
             FROM sessions s
            WHERE s.group_id = ? AND s.starts_at >= ? AND s.starts_at < ? ORDER BY s.starts_at""",
        [group_id, since, until],
    ).fetchall()
    marks = db.execute(
        """SELECT a.session_id, a.participant_id, a.method FROM attendance a
             JOIN sessions s ON s.id = a.session_id JOIN participants p ON p.id = a.participant_id
            WHERE s.group_id = ? AND s.starts_at >= ? AND s.starts_at < ? AND p.withdrawn_at IS NULL""",
        [group_id, since, until],
    ).fetchall()
    came = sorted({mark["participant_id"] for mark in marks})
    women = db.execute(
        f"""SELECT p.id, p.first_name, coalesce(n.state, 'not_enrolled') AS state FROM participants p
              LEFT JOIN enrolments n ON n.participant_id = p.id AND n.group_id = ?
             WHERE (n.state = 'active' OR p.id IN ({", ".join("?" * len(came)) or "NULL"}))
               AND p.withdrawn_at IS NULL
             ORDER BY p.first_name COLLATE NOCASE, p.id""",
        [group_id, *came],
    ).fetchall()
    return sessions, women, {(mark["session_id"], mark["participant_id"]): mark["method"] for mark in marks}


def refused_scans(db, group_id, since, until):
    """Return {session_id: {reason: count}} of the check-ins refused for a group's sessions in a period."""
    rows = db.execute(
        """SELECT i.session_id, i.reason, count(*) AS refused FROM checkin_items i
             JOIN sessions s ON s.id = i.session_id
            WHERE s.group_id = ? AND s.starts_at >= ? AND s.starts_at < ? AND i.status = 'invalid'
            GROUP BY i.session_id, i.reason""",
        [group_id, since, until],
    ).fetchall()
    result = {}
    for row in rows:
        result.setdefault(row["session_id"], {})[row["reason"]] = row["refused"]
    return result


def women_to_follow_up(db, days_unseen=5, now=None, user=None):
    """Women in a group who missed their last two held sessions, or were not seen for `days_unseen` days
    (among the women `user` follows, when given)."""
    now = now or clock.now()
    followed, params = access.followed_participants(user) if user else ("1", [])
    # The same rule inside the window: it then numbers the sessions of her women only, not the programme's.
    followed_here, params_here = access.followed_participants(user, "n.participant_id") if user else ("1", [])
    rows = db.execute(
        f"""WITH held AS (
               SELECT n.participant_id, s.id AS session_id, s.starts_at,
                      row_number() OVER (PARTITION BY n.participant_id ORDER BY s.starts_at DESC) AS recent
                 FROM enrolments n JOIN sessions s ON s.group_id = n.group_id
                WHERE n.state = 'active' AND s.cancelled_at IS NULL AND s.ends_at <= ?
                  AND s.starts_at >= n.since AND {followed_here})
           SELECT p.id, p.first_name, p.phone,
                  (SELECT max(a.checked_in_at) FROM attendance a WHERE a.participant_id = p.id) AS last_seen,
                  (SELECT min(n.joined_at) FROM enrolments n WHERE n.participant_id = p.id AND n.state = 'active')
                      AS joined,
                  (SELECT count(*) FROM held h WHERE h.participant_id = p.id AND h.recent <= 2) AS last_two,
                  (SELECT max(h.starts_at) FROM held h WHERE h.participant_id = p.id) AS last_held,
                  (SELECT count(*) FROM held h JOIN attendance a
                          ON a.session_id = h.session_id AND a.participant_id = h.participant_id
                    WHERE h.participant_id = p.id AND h.recent <= 2) AS came_to_last_two
             FROM participants p
            WHERE p.id IN (SELECT participant_id FROM enrolments WHERE state = 'active') AND {followed}
            ORDER BY p.first_name COLLATE NOCASE""",
        [now.isoformat(timespec="seconds"), *params_here, *params],
    ).fetchall()
    cutoff = (now - timedelta(days=days_unseen)).isoformat(timespec="seconds")
    result = []
    for row in rows:
        if row["last_seen"] and row["last_held"] and row["last_seen"] >= row["last_held"]:
            continue  # she came after her last missed session (today, or to another group): nobody to call
        missed_two = row["last_two"] == 2 and row["came_to_last_two"] == 0
        # Not seen for 5 days counts only when a session she could have come to was held in those days:
        # a woman in a weekly group who came last week is not missing.
        missed_recent = row["last_held"] is not None and row["last_held"] >= cutoff
        unseen = missed_recent and (row["last_seen"] or row["joined"] or cutoff) < cutoff
        if missed_two or unseen:
            # One reason per woman: two missed sessions say more than the days since she was seen.
            reason = "missed_two" if missed_two else "unseen"
            days = (now - datetime.fromisoformat(row["last_seen"])).days if row["last_seen"] else None
            result.append(
                dict(row) | {"missed_two": missed_two, "unseen": unseen, "reason": reason, "days": days}
            )
    return result


def attendance_sheet(db, session_id, group_id):
    """The women to mark for a session: the group's active members and anyone checked in to it, with
    `came` (1/0), by first name."""
    return db.execute(
        """SELECT p.id, p.first_name, a.id IS NOT NULL AS came
             FROM participants p
             LEFT JOIN attendance a ON a.participant_id = p.id AND a.session_id = :session
            WHERE (a.id IS NOT NULL
               OR p.id IN (SELECT participant_id FROM enrolments WHERE group_id = :group AND state = 'active'))
              AND p.withdrawn_at IS NULL
            ORDER BY p.first_name COLLATE NOCASE, p.id""",
        {"session": session_id, "group": group_id},
    ).fetchall()


def correct_attendance(db, session, came, did_not_come, user_id):
    """Mark women as having come (at the session's start, by hand) or not; return (added, removed)."""
    added = 0
    for participant_id in came:
        added += record_checkin(
            db,
            session["id"],
            participant_id,
            session["starts_at"],
            "manual",
            is_enrolled(db, session["group_id"], participant_id),
            user_id,
            f"correction-{uuid.uuid4()}",
        )
    removed = 0
    for participant_id in did_not_come:
        removed += db.execute(
            "DELETE FROM attendance WHERE session_id = ? AND participant_id = ?",
            [session["id"], participant_id],
        ).rowcount
    return added, removed
