"""Check-in pages: the scanner at the door, and each group's attendance register (page, CSV, Excel)."""

from datetime import date, datetime, timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import audit
import clock
from access import CASEWORK_ROLES, GROUP_ROLES, may_correct_attendance, require_group, staff_required
from clock import LOCAL
from db import get_db, transaction
from downloads import csv_download, xlsx_download

from ..groups.queries import group as group_row
from ..groups.schedule import local_to_utc
from ..pwa.offline import offline_page
from . import bp, queries
from .scans import REFUSALS

REGISTER_WEEKS = 12


@bp.route("/scan")
@staff_required(*GROUP_ROLES)
@offline_page
def scanner():
    """Check women in at the door: the camera reads their cards, with or without a connection."""
    g.blob_workers = True  # the QR decoder runs in a blob: worker where the phone has no BarcodeDetector
    return render_template("checkin/scanner.html")


def period():
    """The register's days from the query string (default: the last 12 weeks up to today)."""
    try:
        last = date.fromisoformat(request.args.get("to") or clock.today().isoformat())
        first = date.fromisoformat(
            request.args.get("from") or (last - timedelta(weeks=REGISTER_WEEKS)).isoformat()
        )
    except ValueError:
        abort(400)
    if first > last or (last - first).days > 3 * 366 or not (first.year >= 2000 and last.year <= 2100):
        abort(400)
    return first, last


def register_table(group_id):
    """The register of the period asked for: (first, last, sessions, women, marks, since, until)."""
    first, last = period()
    since = local_to_utc(first, datetime.min.time()).isoformat()
    until = local_to_utc(last + timedelta(days=1), datetime.min.time()).isoformat()
    sessions, women, marks = queries.register(get_db(), group_id, since, until)
    return first, last, sessions, women, marks, since, until


@bp.route("/groups/<id:group_id>/register")
@staff_required(*GROUP_ROLES)
def register(group_id):
    """The attendance register: sessions × women, with totals."""
    db = get_db()
    require_group(db, g.user, group_id)
    first, last, sessions, women, marks, since, until = register_table(group_id)
    return render_template(
        "checkin/register.html",
        refused=queries.refused_scans(db, group_id, since, until),
        refusals={reason: message for reason, (_field, message) in REFUSALS.items()},
        group=group_row(db, group_id),
        first=first,
        last=last,
        sessions=sessions,
        women=women,
        marks=marks,
        per_woman={woman["id"]: sum((s["id"], woman["id"]) in marks for s in sessions) for woman in women},
        per_session={
            s["id"]: sum((s["id"], woman["id"]) in marks for woman in women) + s["unnamed"] for s in sessions
        },
        unnamed=any(s["unnamed"] for s in sessions),
        total=len(marks) + sum(s["unnamed"] for s in sessions),
        may_correct=may_correct_attendance(db, g.user, group_id),
    )


def register_rows(group_id):
    """The register as rows: a header, one row per woman, a totals row."""
    first, last, sessions, women, marks, _since, _until = register_table(group_id)
    header = (
        [_("First name")]
        + [
            datetime.fromisoformat(s["starts_at"]).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
            + (" " + _("(cancelled)") if s["cancelled_at"] else "")
            for s in sessions
        ]
        + [_("Total")]
    )
    rows = [header]
    for woman in women:
        cells = [1 if (s["id"], woman["id"]) in marks else 0 for s in sessions]
        rows.append([woman["first_name"], *cells, sum(cells)])
    unnamed = [s["unnamed"] for s in sessions]
    if any(unnamed):
        rows.append([_("No longer named"), *unnamed, sum(unnamed)])
    totals = [sum(1 for woman in women if (s["id"], woman["id"]) in marks) + s["unnamed"] for s in sessions]
    rows.append([_("Total"), *totals, sum(totals)])
    return f"register-{group_id}-{first}-{last}", rows


def record_download(group_id, kind):
    with transaction(get_db()):
        audit.record(get_db(), "register.download", detail=f"group:{group_id} {kind}")


@bp.route("/groups/<id:group_id>/register.csv")
@staff_required(*GROUP_ROLES)
def register_csv(group_id):
    """The register as CSV for a Danish spreadsheet: semicolons between cells (Danish Excel splits on them),
    every text cell in quotes, and UTF-8 with a byte-order mark so the letters come out right."""
    require_group(get_db(), g.user, group_id)
    name, rows = register_rows(group_id)
    record_download(group_id, "csv")
    return csv_download(rows, name)


@bp.route("/groups/<id:group_id>/register.xlsx")
@staff_required(*GROUP_ROLES)
def register_xlsx(group_id):
    """The register as an Excel workbook."""
    require_group(get_db(), g.user, group_id)
    name, rows = register_rows(group_id)
    record_download(group_id, "xlsx")
    return xlsx_download([(_("Register"), rows, {0, len(rows) - 1})], name)


@bp.route("/groups/<id:group_id>/sessions/<id:session_id>/attendance", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def correct_attendance(group_id, session_id):
    """Correct who came to a session afterwards (a card left at home, a name tapped by mistake)."""
    db = get_db()
    require_group(db, g.user, group_id)
    session = queries.session_for_checkin(db, session_id)
    if session is None or session["group_id"] != group_id:
        abort(404)
    if not may_correct_attendance(db, g.user, group_id):
        abort(403)
    sheet = queries.attendance_sheet(db, session_id, group_id)
    if request.method == "POST":
        offered = {row["id"] for row in sheet}
        ticked = {int(value) for value in request.form.getlist("came") if value.isdigit()}
        if not ticked <= offered:
            abort(400)  # only women on the sheet can be marked
        came = [row["id"] for row in sheet if row["id"] in ticked and not row["came"]]
        did_not_come = [row["id"] for row in sheet if row["id"] not in ticked and row["came"]]
        with transaction(db):
            added, removed = queries.correct_attendance(db, session, came, did_not_come, g.user["id"])
            # One row per woman (her record's history, her access export), by id: never a name.
            for participant_id in came:
                audit.record(db, "attendance.correct", participant_id, f"session {session_id} came")
            for participant_id in did_not_come:
                audit.record(db, "attendance.correct", participant_id, f"session {session_id} did not come")
        flash(_("Attendance saved."), "success")
        return redirect(url_for("checkin.register", group_id=group_id))
    return render_template(
        "checkin/attendance.html", group=group_row(db, group_id), meeting=session, sheet=sheet
    )
