"""Network groups, their sessions and who is enrolled: all the SQL of this area."""

import json
from datetime import UTC, timedelta

import access
import clock
from clock import now_iso

GROUP_COLUMNS = """g.id, g.name, g.activity, g.estate_id, g.place, g.languages, g.capacity, g.bring, g.bring_phrases,
       g.first_day, g.last_day, g.weekdays, g.every_weeks, g.start_time, g.end_time, g.rule,
       e.name AS estate_name,
       (SELECT count(*) FROM enrolments n WHERE n.group_id = g.id AND n.state = 'active') AS enrolled,
       (SELECT count(*) FROM enrolments n WHERE n.group_id = g.id AND n.state = 'waitlist') AS waiting"""


def groups_for(db, user):
    """Return the groups `user` may see, with their next session."""
    visible, params = access.visible_groups(user)
    return db.execute(
        f"""SELECT {GROUP_COLUMNS},
                   (SELECT min(s.starts_at) FROM sessions s WHERE s.group_id = g.id
                      AND s.starts_at > ? AND s.cancelled_at IS NULL) AS next_session
              FROM groups g LEFT JOIN estates e ON e.id = g.estate_id
             WHERE {visible} ORDER BY g.name COLLATE NOCASE""",
        [now_iso(), *params],
    ).fetchall()


def group(db, group_id):
    """Return one group with its estate and counts, or None."""
    return db.execute(
        f"SELECT {GROUP_COLUMNS} FROM groups g LEFT JOIN estates e ON e.id = g.estate_id WHERE g.id = ?",
        [group_id],
    ).fetchone()


def facilitators(db, group_id):
    """Return the group's staff facilitators."""
    return db.execute(
        """SELECT u.id, u.username, u.display_name FROM users u
             JOIN group_facilitators f ON f.user_id = u.id WHERE f.group_id = ? ORDER BY u.username""",
        [group_id],
    ).fetchall()


def role_models(db, group_id):
    """Return the group's women who lead it as role models."""
    return db.execute(
        """SELECT p.id, p.first_name FROM participants p
             JOIN group_role_models r ON r.participant_id = p.id WHERE r.group_id = ? ORDER BY p.first_name""",
        [group_id],
    ).fetchall()


def possible_facilitators(db):
    """Active staff who can lead a group."""
    return db.execute(
        """SELECT id, username, display_name FROM users
            WHERE active = 1 AND role IN ('facilitator', 'coordinator') ORDER BY username"""
    ).fetchall()


def group_values(fields, schedule):
    """The columns of a group row from the form fields and the schedule."""
    return {
        "name": fields["name"],
        "activity": fields["activity"],
        "estate_id": fields["estate_id"],
        "place": fields["place"],
        "languages": json.dumps(fields["languages"]),
        "capacity": fields["capacity"],
        "bring": fields["bring"],
        "bring_phrases": json.dumps(fields.get("bring_phrases", [])),
        "first_day": schedule.first_day.isoformat(),
        "last_day": schedule.last_day.isoformat(),
        "weekdays": json.dumps(list(schedule.weekdays)),
        "every_weeks": schedule.every_weeks,
        "start_time": schedule.start.isoformat("minutes"),
        "end_time": schedule.end.isoformat("minutes"),
        "rule": str(schedule.rule()),
    }


def create_group(db, fields, schedule, facilitator_ids, role_model_ids, created_by):
    """Create a group with its facilitators and every session of its schedule; return its id."""
    values = group_values(fields, schedule) | {"created_at": now_iso(), "created_by": created_by}
    group_id = db.execute(
        f"INSERT INTO groups ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
        list(values.values()),
    ).lastrowid
    set_leaders(db, group_id, facilitator_ids, role_model_ids)
    apply_schedule(db, group_id, schedule, since=None)
    return group_id


def update_group(db, group_id, fields, schedule, facilitator_ids, role_model_ids):
    """Save a group's details and bring its future sessions in line with the schedule."""
    values = group_values(fields, schedule)
    before = group(db, group_id)
    db.execute(
        f"UPDATE groups SET {', '.join(f'{key} = ?' for key in values)} WHERE id = ?",
        [*values.values(), group_id],
    )
    if any(before[key] != values[key] for key in ("place", "activity", "bring", "bring_phrases")):
        # What her calendar shows for every session changed: calendars must fetch them again.
        db.execute(
            "UPDATE sessions SET sequence = sequence + 1 WHERE group_id = ? AND starts_at > ?",
            [group_id, now_iso()],
        )
    set_leaders(db, group_id, facilitator_ids, role_model_ids)
    return apply_schedule(db, group_id, schedule, since=now_iso())


def set_leaders(db, group_id, facilitator_ids, role_model_ids):
    """Replace the group's facilitators and role models."""
    db.execute("DELETE FROM group_facilitators WHERE group_id = ?", [group_id])
    for user_id in facilitator_ids:
        db.execute("INSERT INTO group_facilitators (group_id, user_id) VALUES (?, ?)", [group_id, user_id])
    db.execute("DELETE FROM group_role_models WHERE group_id = ?", [group_id])
    for participant_id in role_model_ids:
        db.execute(
            "INSERT INTO group_role_models (group_id, participant_id) VALUES (?, ?)",
            [group_id, participant_id],
        )


def apply_schedule(db, group_id, schedule, since):
    """Make the sessions starting after `since` (all when None) follow `schedule`; return counts.

    What was done to one session by hand stays: a cancelled session stays cancelled, a moved one keeps
    its new time, and one with a topic stays even when the schedule no longer has its day.
    """
    wanted = {day.isoformat(): schedule.times_on(day) for day in schedule.days()}
    counts = {"added": 0, "changed": 0, "removed": 0}
    existing = db.execute(
        """SELECT id, rule_day, starts_at, ends_at, moved_at, cancelled_at, topic, bring, bring_phrases
             FROM sessions WHERE group_id = ? AND rule_day IS NOT NULL""",
        [group_id],
    ).fetchall()
    for row in existing:
        times = wanted.pop(row["rule_day"], None)
        if since is not None and row["starts_at"] <= since:
            continue
        if times is None:
            if not (
                row["moved_at"]
                or row["cancelled_at"]
                or row["topic"]
                or row["bring"]
                or row["bring_phrases"] != "[]"
            ):
                db.execute("DELETE FROM sessions WHERE id = ?", [row["id"]])
                counts["removed"] += 1
        elif not row["moved_at"] and (row["starts_at"], row["ends_at"]) != tuple(
            t.isoformat() for t in times
        ):
            db.execute(
                "UPDATE sessions SET starts_at = ?, ends_at = ?, sequence = sequence + 1 WHERE id = ?",
                [times[0].isoformat(), times[1].isoformat(), row["id"]],
            )
            counts["changed"] += 1
    for day, (starts, ends) in wanted.items():
        if since is None or starts.isoformat() > since:
            db.execute(
                "INSERT INTO sessions (group_id, rule_day, starts_at, ends_at) VALUES (?, ?, ?, ?)",
                [group_id, day, starts.isoformat(), ends.isoformat()],
            )
            counts["added"] += 1
    return counts


# What to bring (`s` a session, `g` its group): the session's own, phrases and free text, when it has any;
# else the group's. Her page's query uses it too.
OWN_BRING = "(s.bring != '' OR s.bring_phrases != '[]')"
BRING_COLUMNS = f"""CASE WHEN {OWN_BRING} THEN s.bring ELSE g.bring END AS bring,
       CASE WHEN {OWN_BRING} THEN s.bring_phrases ELSE g.bring_phrases END AS bring_phrases"""
SESSION_COLUMNS = f"""s.id, s.group_id, s.starts_at, s.ends_at, s.topic, s.cancelled_at, s.cancel_reason,
       s.cancel_phrase, s.moved_at, s.rule_day, s.sequence, coalesce(s.place, g.place) AS place,
       {BRING_COLUMNS},
       g.name AS group_name, g.activity"""


def group_sessions(db, group_id, since, until=None):
    """Sessions of a group from `since` (UTC ISO), in order."""
    sql = f"""SELECT {SESSION_COLUMNS} FROM sessions s JOIN groups g ON g.id = s.group_id
               WHERE s.group_id = ? AND s.ends_at > ?"""
    params = [group_id, since]
    if until:
        sql += " AND s.starts_at < ?"
        params.append(until)
    return db.execute(sql + " ORDER BY s.starts_at", params).fetchall()


def session(db, session_id):
    """Return one session with its group and place, or None."""
    return db.execute(
        f"SELECT {SESSION_COLUMNS} FROM sessions s JOIN groups g ON g.id = s.group_id WHERE s.id = ?",
        [session_id],
    ).fetchone()


def cancel_session(db, session_id, reason, phrase=""):
    """Cancel a session (why: a phrase key from choices.CANCEL_PHRASES and/or free text); return False when
    it was cancelled already."""
    return (
        db.execute(
            """UPDATE sessions SET cancelled_at = ?, cancel_reason = ?, cancel_phrase = ?, sequence = sequence + 1
            WHERE id = ? AND cancelled_at IS NULL""",
            [now_iso(), reason, phrase, session_id],
        ).rowcount
        == 1
    )


def reinstate_session(db, session_id):
    """Undo a cancellation; calendars get the change."""
    db.execute(
        """UPDATE sessions SET cancelled_at = NULL, cancel_reason = '', cancel_phrase = '', sequence = sequence + 1
            WHERE id = ? AND cancelled_at IS NOT NULL""",
        [session_id],
    )


def move_session(db, session_id, starts, ends, place, topic=None):
    """Give one session another time (and place, topic): it takes place then, and the schedule leaves it
    alone from now on. Return True when its time or place changed (or it was cancelled): only then has a
    text about it something new to say."""
    changed = (
        db.execute(
            """UPDATE sessions SET starts_at = ?, ends_at = ?, place = ?, topic = coalesce(?, topic),
                      moved_at = ?, cancelled_at = NULL, cancel_reason = '', cancel_phrase = '',
                      sequence = sequence + 1
                WHERE id = ? AND (starts_at IS NOT ? OR ends_at IS NOT ? OR place IS NOT ?
                                  OR cancelled_at IS NOT NULL)""",
            [
                starts.isoformat(),
                ends.isoformat(),
                place or None,
                topic,
                now_iso(),
                session_id,
                starts.isoformat(),
                ends.isoformat(),
                place or None,
            ],
        ).rowcount
        == 1
    )
    if not changed and topic is not None:
        db.execute(
            "UPDATE sessions SET topic = ?, sequence = sequence + 1 WHERE id = ? AND topic IS NOT ?",
            [topic, session_id, topic],
        )
    return changed


def describe_session(db, session_id, topic, bring, bring_phrases=()):
    """Give a session a topic and what to bring; calendars get the change."""
    db.execute(
        "UPDATE sessions SET topic = ?, bring = ?, bring_phrases = ?, sequence = sequence + 1 WHERE id = ?",
        [topic, bring, json.dumps(list(bring_phrases)), session_id],
    )


def add_session(db, group_id, starts, ends, place, topic):
    """Add one session outside the schedule; return its id."""
    return db.execute(
        "INSERT INTO sessions (group_id, starts_at, ends_at, place, topic) VALUES (?, ?, ?, ?, ?)",
        [group_id, starts.isoformat(), ends.isoformat(), place or None, topic],
    ).lastrowid


def members(db, group_id):
    """The women in the group: active, then waiting (in order). A woman who left is not named here any
    more (her record and the register keep her history)."""
    return db.execute(
        """SELECT p.id, p.first_name, p.phone, p.language, n.state, n.since, n.joined_at, n.left_at
             FROM enrolments n JOIN participants p ON p.id = n.participant_id
            WHERE n.group_id = ? AND n.state != 'left' AND p.withdrawn_at IS NULL
            ORDER BY CASE n.state WHEN 'active' THEN 0 WHEN 'waitlist' THEN 1 ELSE 2 END,
                     CASE n.state WHEN 'waitlist' THEN n.since END, p.first_name COLLATE NOCASE""",
        [group_id],
    ).fetchall()


def active_members(db, group_id):
    """Return the women with a place in the group (not the waitlist), with phone and language for texts."""
    return [row for row in members(db, group_id) if row["state"] == "active"]


def enrol(db, group_id, participant_id):
    """Enrol a woman, on the waitlist when the group is full; return her state."""
    now = now_iso()
    current = db.execute(
        "SELECT state FROM enrolments WHERE group_id = ? AND participant_id = ?", [group_id, participant_id]
    ).fetchone()
    if current and current["state"] in ("active", "waitlist"):
        return current["state"]
    row = group(db, group_id)
    state = "active" if row["enrolled"] < row["capacity"] else "waitlist"
    db.execute(
        """INSERT INTO enrolments (group_id, participant_id, state, since, joined_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (group_id, participant_id)
           DO UPDATE SET state = excluded.state, since = excluded.since, left_at = NULL""",
        [group_id, participant_id, state, now, now],
    )
    db.execute(
        "DELETE FROM group_offers WHERE group_id = ? AND participant_id = ?", [group_id, participant_id]
    )
    return state


def offer(db, group_id, participant_id, user_id):
    """Offer a woman to a group: its facilitators may find her by name and enrol her."""
    db.execute(
        """INSERT INTO group_offers (group_id, participant_id, offered_by, offered_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (group_id, participant_id) DO NOTHING""",
        [group_id, participant_id, user_id, now_iso()],
    )


def withdraw_offer(db, group_id, participant_id):
    db.execute(
        "DELETE FROM group_offers WHERE group_id = ? AND participant_id = ?", [group_id, participant_id]
    )


def offered(db, group_id):
    """The women offered to a group and not in it yet, the longest offered first."""
    return db.execute(
        """SELECT p.id, p.first_name, o.offered_at FROM group_offers o JOIN participants p ON p.id = o.participant_id
            WHERE o.group_id = ? AND p.withdrawn_at IS NULL ORDER BY o.offered_at, p.id""",
        [group_id],
    ).fetchall()


def offers_of(db, participant_id):
    """The groups she is offered to."""
    return db.execute(
        """SELECT g.id, g.name, o.offered_at FROM group_offers o JOIN groups g ON g.id = o.group_id
            WHERE o.participant_id = ? ORDER BY g.name""",
        [participant_id],
    ).fetchall()


def leave(db, group_id, participant_id):
    """Take a woman out of the group (her history stays); give a free place to the first waiting."""
    db.execute(
        """UPDATE enrolments SET state = 'left', since = ?, left_at = ?
            WHERE group_id = ? AND participant_id = ? AND state != 'left'""",
        [now_iso(), now_iso(), group_id, participant_id],
    )
    db.execute(
        "DELETE FROM group_role_models WHERE group_id = ? AND participant_id = ?", [group_id, participant_id]
    )
    return fill_free_places(db, group_id)


def fill_free_places(db, group_id):
    """Move women up from the waitlist while there is room; return their first names."""
    row = group(db, group_id)
    free = row["capacity"] - row["enrolled"]
    if free <= 0:
        return []
    promoted = db.execute(
        """SELECT p.id, p.first_name FROM enrolments n JOIN participants p ON p.id = n.participant_id
            WHERE n.group_id = ? AND n.state = 'waitlist' ORDER BY n.since LIMIT ?""",
        [group_id, free],
    ).fetchall()
    for person in promoted:
        db.execute(
            "UPDATE enrolments SET state = 'active', since = ? WHERE group_id = ? AND participant_id = ?",
            [now_iso(), group_id, person["id"]],
        )
    return [person["first_name"] for person in promoted]


def enrolment_states(db, group_id, participant_ids):
    """Return {participant_id: state} in the group for the women given."""
    if not participant_ids:
        return {}
    rows = db.execute(
        f"""SELECT participant_id, state FROM enrolments WHERE group_id = ?
             AND participant_id IN ({", ".join("?" * len(participant_ids))})""",
        [group_id, *participant_ids],
    ).fetchall()
    return {row["participant_id"]: row["state"] for row in rows}


def sessions_between(db, since, until, user):
    """Sessions of the groups `user` may see that are not over by `since` and start before `until`."""
    visible, params = access.visible_groups(user)
    return db.execute(
        f"""SELECT {SESSION_COLUMNS},
                   (SELECT count(*) FROM enrolments n WHERE n.group_id = g.id AND n.state = 'active') AS enrolled
              FROM sessions s JOIN groups g ON g.id = s.group_id
             WHERE s.ends_at > ? AND s.starts_at < ? AND s.starts_at > ? AND {visible}
             ORDER BY s.starts_at""",
        [
            since.astimezone(UTC).isoformat(),
            until.astimezone(UTC).isoformat(),
            # A session starts and ends on one day (the forms' "from" and "to"): one not over by `since`
            # began less than a day before it. This bound lets the index on starts_at skip the past.
            (since - timedelta(days=1)).astimezone(UTC).isoformat(),
            *params,
        ],
    ).fetchall()


def today_sessions(db, user, days=1):
    """Sessions of the groups `user` may see from the start of today (Copenhagen) for `days` days."""
    start = clock.start_of_today()
    return sessions_between(db, start, start + timedelta(days=days), user)


def record_text(db, session_id, participant_id, kind, sent_at, user_id, delivered):
    """Record that a text of a kind went (or failed to go) to a woman: never the number or the words.
    Return the row's id."""
    return db.execute(
        """INSERT INTO texts_sent (session_id, participant_id, kind, sent_at, sent_by, delivered)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [session_id, participant_id, kind, sent_at, user_id, int(delivered)],
    ).lastrowid


def text_not_delivered(db, text_id):
    """The gateway did not take a text recorded as sent: it may be sent again."""
    db.execute("UPDATE texts_sent SET delivered = 0 WHERE id = ?", [text_id])


def already_texted(db, session_id, kind, since):
    """The women who got a text of this kind about this session since a moment (delivered ones only: a
    text that failed may be sent again)."""
    rows = db.execute(
        """SELECT DISTINCT participant_id FROM texts_sent
            WHERE session_id = ? AND kind = ? AND sent_at >= ? AND delivered = 1""",
        [session_id, kind, since],
    )
    return {row["participant_id"] for row in rows}


def texts_sent(db, session_id):
    """How many texts of each kind were sent for a session, and when last."""
    return db.execute(
        """SELECT kind, sum(delivered) AS delivered, count(*) AS tried, max(sent_at) AS last
             FROM texts_sent WHERE session_id = ? GROUP BY kind""",
        [session_id],
    ).fetchall()
