"""Network groups: their schedules, sessions and who is enrolled."""

import json
from datetime import datetime, timedelta

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

import access
import audit
import clock
from access import CASEWORK_ROLES, GROUP_ROLES, staff_required
from choices import ACTIVITIES
from clock import LOCAL
from db import get_db, transaction
from i18n import LANGUAGES

from ..outreach.queries import estates
from ..participants.cards import new_cards
from ..participants.queries import find_participants, members_without_card, participant
from . import bp, queries, reminders
from .forms import EVERY_WEEKS, CancelForm, GroupForm, SessionTimeForm, TopicForm
from .schedule import Schedule, local_day, session_times, weekday_names

WEEKS_SHOWN = 8
PRINTED_WEEKS = 12


def group_or_abort(group_id, change=False):
    """Return the group if this staff member may see it (or, with `change`, change it); else 404 or 403."""
    access.require_group(get_db(), g.user, group_id, change=change)
    return queries.group(get_db(), group_id)


def session_or_abort(group_id, session_id, change=False):
    """Return one session of a group this staff member may see (or change); else 404 or 403."""
    group_or_abort(group_id, change=change)
    row = queries.session(get_db(), session_id)
    if row is None or row["group_id"] != group_id:
        abort(404)
    return row


@bp.route("/groups")
@staff_required(*GROUP_ROLES)
def groups():
    """List the groups: a facilitator sees hers."""
    rows = queries.groups_for(get_db(), g.user)
    return render_template("groups/list.html", groups=rows, activities=ACTIVITIES)


@bp.route("/today")
@staff_required(*GROUP_ROLES)
def today():
    """Today's and tomorrow's sessions of her groups, with who is enrolled."""
    db = get_db()
    sessions = queries.today_sessions(db, g.user, days=2)
    members = {row["group_id"]: queries.active_members(db, row["group_id"]) for row in sessions}
    return render_template("groups/today.html", sessions=sessions, members=members, activities=ACTIVITIES)


def group_form(group_id=None, enrolled=0):
    """The group form with its choices: estates, staff who can lead, the group's women as role models."""
    db = get_db()
    members = queries.active_members(db, group_id) if group_id else []
    return GroupForm(
        estates=estates(db), staff=queries.possible_facilitators(db), members=members, enrolled=enrolled
    )


def chosen_leaders(form):
    """Return (facilitator ids, role model ids) from the form."""
    facilitator_ids = access.leaders_keeping_access(
        g.user, {int(user_id) for user_id in form.facilitators.data}
    )
    return facilitator_ids, sorted(int(pid) for pid in form.role_models.data)


@bp.route("/groups/new", methods=["GET", "POST"])
@staff_required(*GROUP_ROLES)
def new_group():
    """Create a group and its sessions from a weekly schedule."""
    form = group_form()
    if request.method == "GET":
        form.facilitators.data = [str(user_id) for user_id in access.leaders_keeping_access(g.user, set())]
    if form.validate_on_submit():
        db = get_db()
        facilitator_ids, role_model_ids = chosen_leaders(form)
        with transaction(db):
            group_id = queries.create_group(
                db, form.fields(), form.schedule(), facilitator_ids, role_model_ids, g.user["id"]
            )
        count = len(form.schedule().days())
        flash(
            ngettext("Group created with %(num)d session.", "Group created with %(num)d sessions.", count),
            "ok",
        )
        return redirect(url_for("groups.group", group_id=group_id))
    status = 400 if form.is_submitted() else 200
    return render_template("groups/edit.html", form=form, group=None), status


@bp.route("/groups/<id:group_id>/edit", methods=["GET", "POST"])
@staff_required(*GROUP_ROLES)
def edit_group(group_id):
    """Change a group; its future sessions follow the new schedule, hand-made changes stay."""
    row = group_or_abort(group_id, change=True)
    db = get_db()
    form = group_form(group_id, enrolled=row["enrolled"])
    if request.method == "GET":
        form.fill_from(
            row,
            [user["id"] for user in queries.facilitators(db, group_id)],
            [person["id"] for person in queries.role_models(db, group_id)],
        )
    if form.validate_on_submit():
        facilitator_ids, role_model_ids = chosen_leaders(form)
        with transaction(db):
            counts = queries.update_group(
                db, group_id, form.fields(), form.schedule(), facilitator_ids, role_model_ids
            )
            promoted = queries.fill_free_places(db, group_id)
        flash(
            _(
                "Saved. Sessions added: %(added)d, moved to the new times: %(changed)d, removed: %(removed)d.",
                **counts,
            ),
            "ok",
        )
        if promoted:
            flash(_("Moved up from the waitlist: %(names)s", names=", ".join(promoted)), "ok")
        return redirect(url_for("groups.group", group_id=group_id))
    status = 400 if form.is_submitted() else 200
    return render_template("groups/edit.html", form=form, group=row), status


def schedule_text(group):
    """E.g. "Every week on Tuesday and Thursday, 10:00–12:00, 2026-01-06 – 2026-06-30"."""
    schedule = Schedule.of_group(group)
    if schedule is None:
        return ""
    names = weekday_names(get_locale())
    return _(
        "%(often)s on %(days)s, %(start)s–%(end)s, %(first)s – %(last)s",
        often=EVERY_WEEKS.get(str(schedule.every_weeks), ""),
        days=", ".join(names[day] for day in schedule.weekdays),
        start=group["start_time"],
        end=group["end_time"],
        first=group["first_day"],
        last=group["last_day"],
    )


@bp.route("/groups/<id:group_id>")
@staff_required(*GROUP_ROLES)
def group(group_id):
    """A group: schedule, next sessions, members, the women offered to it and the search to enrol more."""
    return render_group(group_or_abort(group_id), "")


@bp.route("/groups/<id:group_id>/search", methods=["POST"])
@staff_required(*GROUP_ROLES)
def search(group_id):
    """Find a woman to enrol (htmx: the results alone). Posted, so that names and numbers typed never reach
    an address bar, a browser's history or an access log."""
    row = group_or_abort(group_id)
    text = request.form.get("q", "").strip()[:60]
    if text:
        with transaction(get_db()):
            audit.record(get_db(), "participant.search", detail=f"group:{group_id}")
    return render_group(row, text)


def render_group(row, text):
    db = get_db()
    group_id = row["id"]
    found = find_participants(db, g.user, text) if len(text) >= 2 else []
    states = queries.enrolment_states(db, group_id, [person["id"] for person in found])
    context = {
        "group": row,
        "query": text,
        "found": found,
        "states": states,
        "by_phone": access.may_search_by_phone(g.user),
    }
    if request.headers.get("HX-Request"):
        response = make_response(render_template("groups/_search_results.html", **context))
    else:
        now = clock.now()
        response = make_response(
            render_template(
                "groups/group.html",
                sessions=queries.group_sessions(
                    db, group_id, now.isoformat(), (now + timedelta(weeks=WEEKS_SHOWN)).isoformat()
                ),
                members=queries.members(db, group_id),
                offered=queries.offered(db, group_id),
                facilitators=queries.facilitators(db, group_id),
                role_models=queries.role_models(db, group_id),
                schedule=schedule_text(row),
                activities=ACTIVITIES,
                **context,
            )
        )
    response.headers["Vary"] = "HX-Request"
    return response


@bp.route("/groups/<id:group_id>/members", methods=["POST"])
@staff_required(*GROUP_ROLES)
def enrol(group_id):
    """Enrol a woman (on the waitlist when the group is full)."""
    group_or_abort(group_id, change=True)
    db = get_db()
    try:
        participant_id = int(request.form.get("participant_id", ""))
    except ValueError:
        abort(400)
    if not 1 <= participant_id < 2**63:
        abort(400)
    person = participant(db, participant_id)
    if person is None:
        abort(404)
    if not access.may_enrol(db, g.user, group_id, participant_id):
        abort(403)
    with transaction(db):
        state = queries.enrol(db, group_id, participant_id)
        audit.record(db, "group.enrol", participant_id, f"group:{group_id} {state}")
    # Never her name: a flash waits in the session's row until shown, and no erasure reaches it there.
    if state == "active":
        flash(_("She is enrolled in the group."), "ok")
    else:
        flash(_("The group is full: she is on the waitlist."), "ok")
    return redirect(url_for("groups.group", group_id=group_id) + "#members")


@bp.route("/groups/<id:group_id>/members/<id:participant_id>/leave", methods=["POST"])
@staff_required(*GROUP_ROLES)
def leave(group_id, participant_id):
    """Take a woman out of the group; what she attended stays."""
    group_or_abort(group_id, change=True)
    db = get_db()
    with transaction(db):
        promoted = queries.leave(db, group_id, participant_id)
        audit.record(db, "group.leave", participant_id, f"group:{group_id}")
    flash(_("She has left the group. Her history is kept."), "ok")
    if promoted:
        flash(_("Moved up from the waitlist: %(names)s", names=", ".join(promoted)), "ok")
    return redirect(url_for("groups.group", group_id=group_id) + "#members")


@bp.route("/groups/<id:group_id>/sessions/<id:session_id>")
@staff_required(*GROUP_ROLES)
def session(group_id, session_id):
    """One session: move it, cancel it, give it a topic, remind the women."""
    row = session_or_abort(group_id, session_id)
    return render_session(row)


def render_session(row, move_form=None, cancel_form=None, topic_form=None, status=200):
    """The session page, with any form that was sent back with its errors."""
    if move_form is None:
        move_form = SessionTimeForm(formdata=None, prefix="move")
        move_form.day.data = local_day(row["starts_at"]).isoformat()
        move_form.start_time.data = local_time(row["starts_at"])
        move_form.end_time.data = local_time(row["ends_at"])
    if topic_form is None:
        topic_form = TopicForm(
            formdata=None,
            prefix="topic",
            data={
                "topic": row["topic"],
                "bring": row["bring"],
                "bring_phrases": json.loads(row["bring_phrases"]),
            },
        )
    return render_template(
        "groups/session.html",
        meeting=row,
        group=queries.group(get_db(), row["group_id"]),
        move_form=move_form,
        cancel_form=cancel_form or CancelForm(formdata=None, prefix="cancel"),
        topic_form=topic_form,
        texts=queries.texts_sent(get_db(), row["id"]),
        enrolled=len(queries.active_members(get_db(), row["group_id"])),
        activities=ACTIVITIES,
        past=row["ends_at"] < clock.now_iso(),
    ), status


def local_time(moment_iso):
    """Return the Copenhagen wall-clock time of a stored UTC time, as 10:00."""
    return datetime.fromisoformat(moment_iso).astimezone(LOCAL).strftime("%H:%M")


def tell_women(session_id, kind, how):
    """Send the texts if asked, and say how it went."""
    if how != "sms":
        return
    sent, not_sent, skipped = reminders.send_texts(get_db(), session_id, kind, g.user["id"])
    flash(ngettext("%(num)d text sent.", "%(num)d texts sent.", sent), "ok")
    if skipped:
        message = {
            "reminder": ngettext(
                "%(num)d woman already had a reminder today: not sent again.",
                "%(num)d women already had a reminder today: not sent again.",
                skipped,
            ),
        }.get(kind) or ngettext(
            "%(num)d woman already had this news: not sent again.",
            "%(num)d women already had this news: not sent again.",
            skipped,
        )
        flash(message, "ok")
    if not_sent:
        flash(
            ngettext("%(num)d text could not be sent.", "%(num)d texts could not be sent.", not_sent), "error"
        )


@bp.route("/groups/<id:group_id>/sessions/<id:session_id>/move", methods=["POST"])
@staff_required(*GROUP_ROLES)
def move_session(group_id, session_id):
    """Give one session another day, time or place; the women see it on their page."""
    row = session_or_abort(group_id, session_id, change=True)
    form = SessionTimeForm(prefix="move")
    if not form.validate_on_submit():
        return render_session(row, move_form=form, status=400)
    starts, ends = session_times(form.day.parsed, form.start_time.parsed, form.end_time.parsed)
    db = get_db()
    with transaction(db):
        moved = queries.move_session(db, session_id, starts, ends, form.place.data, form.topic.data or None)
    if moved:
        flash(_("The session is moved."), "ok")
        tell_women(session_id, "moved", form.notify.data)
    else:
        flash(_("The time and place are as they were: nothing to tell the women."), "ok")
    return redirect(url_for("groups.session", group_id=group_id, session_id=session_id))


@bp.route("/groups/<id:group_id>/sessions/<id:session_id>/cancel", methods=["POST"])
@staff_required(*GROUP_ROLES)
def cancel_session(group_id, session_id):
    """Cancel one session with a reason the women see."""
    row = session_or_abort(group_id, session_id, change=True)
    form = CancelForm(prefix="cancel")
    if not form.validate_on_submit():
        return render_session(row, cancel_form=form, status=400)
    db = get_db()
    with transaction(db):
        cancelled_now = queries.cancel_session(db, session_id, form.reason.data or "", form.cancel_phrase())
    flash(_("The session is cancelled."), "ok")
    if cancelled_now:
        tell_women(session_id, "cancelled", form.notify.data)
    return redirect(url_for("groups.session", group_id=group_id, session_id=session_id))


@bp.route("/groups/<id:group_id>/sessions/<id:session_id>/reinstate", methods=["POST"])
@staff_required(*GROUP_ROLES)
def reinstate_session(group_id, session_id):
    """Undo a cancellation."""
    session_or_abort(group_id, session_id, change=True)
    db = get_db()
    with transaction(db):
        queries.reinstate_session(db, session_id)
    flash(_("The session takes place after all."), "ok")
    return redirect(url_for("groups.session", group_id=group_id, session_id=session_id))


@bp.route("/groups/<id:group_id>/sessions/<id:session_id>/topic", methods=["POST"])
@staff_required(*GROUP_ROLES)
def describe_session(group_id, session_id):
    """Give a session a topic and what to bring."""
    row = session_or_abort(group_id, session_id, change=True)
    form = TopicForm(prefix="topic")
    if not form.validate_on_submit():
        return render_session(row, topic_form=form, status=400)
    db = get_db()
    with transaction(db):
        queries.describe_session(
            db, session_id, form.topic.data or "", form.bring.data or "", form.bring_phrases.data or []
        )
    flash(_("Saved."), "ok")
    return redirect(url_for("groups.session", group_id=group_id, session_id=session_id))


@bp.route("/groups/<id:group_id>/sessions/<id:session_id>/remind", methods=["POST"])
@staff_required(*GROUP_ROLES)
def remind(group_id, session_id):
    """Send each enrolled woman a reminder in her language."""
    row = session_or_abort(group_id, session_id, change=True)
    if row["cancelled_at"] or row["ends_at"] < clock.now_iso():
        flash(_("No reminder for a cancelled or past session."), "error")
    else:
        tell_women(session_id, "reminder", "sms")
    return redirect(url_for("groups.session", group_id=group_id, session_id=session_id))


@bp.route("/groups/<id:group_id>/sessions/new", methods=["GET", "POST"])
@staff_required(*GROUP_ROLES)
def add_session(group_id):
    """Add a session outside the schedule."""
    row = group_or_abort(group_id, change=True)
    form = SessionTimeForm()
    if request.method == "GET":
        form.start_time.data, form.end_time.data = row["start_time"] or "10:00", row["end_time"] or "12:00"
    if form.validate_on_submit():
        db = get_db()
        with transaction(db):
            starts, ends = session_times(form.day.parsed, form.start_time.parsed, form.end_time.parsed)
            session_id = queries.add_session(
                db, group_id, starts, ends, form.place.data, form.topic.data or ""
            )
        flash(_("The session is added."), "ok")
        tell_women(session_id, "reminder", form.notify.data)
        return redirect(url_for("groups.session", group_id=group_id, session_id=session_id))
    status = 400 if form.is_submitted() else 200
    return render_template("groups/add_session.html", form=form, group=row), status


@bp.route("/groups/<id:group_id>/schedule")
@staff_required(*GROUP_ROLES)
def printable_schedule(group_id):
    """An A4 schedule to print and hang up, in the language of the page."""
    row = group_or_abort(group_id)
    now = clock.now()
    sessions = queries.group_sessions(
        get_db(), group_id, now.isoformat(), (now + timedelta(weeks=PRINTED_WEEKS)).isoformat()
    )
    return render_template(
        "groups/print.html", group=row, sessions=sessions, activities=ACTIVITIES, languages=LANGUAGES
    )


@bp.route("/groups/<id:group_id>/cards", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def print_cards(group_id):
    """Print cards, 8 to an A4 sheet, for the group's women who have none (or for all, replacing theirs)."""
    group_or_abort(group_id)
    db = get_db()
    women = members_without_card(db, group_id, everyone=request.form.get("which") == "all")
    if not women:
        flash(_("Every woman in the group has a card."), "ok")
        return redirect(url_for("groups.group", group_id=group_id))
    with transaction(db):
        cards = new_cards(db, women)
        for woman in women:
            audit.record(db, "card.create", woman["id"], f"group:{group_id}")
    return render_template("participants/cards.html", cards=cards)
