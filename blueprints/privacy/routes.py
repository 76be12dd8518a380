"""Her data protected: withdrawal of consent, erasure, her access export, retention and the audit log."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import access
import audit
import clock
import settings
from access import ADMIN_ROLES, CASEWORK_ROLES, may_erase, staff_required
from db import get_db, transaction
from downloads import csv_download

from ..auth import queries as staff_queries
from . import bp, erasure, queries
from . import export as export_document
from .forms import WAY_LABELS, EraseForm, RetentionForm, WithdrawalForm


def participant_or_404(participant_id):
    """Return everything on her row, or stop with 404 (no such woman) or 403 (not for this staff member)."""
    access.require_participant(get_db(), g.user, participant_id)
    return queries.participant(get_db(), participant_id)


# ---- Withdrawal and erasure -----------------------------------------------------------------------------


def render_withdrawal(participant, form, status=200):
    return render_template(
        "privacy/withdraw.html",
        participant=participant,
        form=form,
        grace_days=settings.get(get_db(), "erasure_grace_days"),
    ), status


@bp.route("/participants/<id:participant_id>/withdraw", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def withdraw(participant_id):
    """Record that she withdrew her consent (a coordinator, with the day and how she said it)."""
    participant = participant_or_404(participant_id)
    if participant["withdrawn_at"]:
        return redirect(url_for("participants.participant", participant_id=participant_id))
    if request.method == "GET":
        form = WithdrawalForm(formdata=None, data={"withdrawn_on": clock.today().isoformat()})
        return render_withdrawal(participant, form)
    form = WithdrawalForm()
    if not form.validate_on_submit():
        return render_withdrawal(participant, form, status=400)
    erase_now = form.erase_now.data and may_erase(g.user)
    db = get_db()
    erasure.withdraw(db, participant_id, form.withdrawn_on.parsed, form.how.data, g.user["id"], erase_now)
    if erase_now or queries.is_erased(db, participant_id):
        flash(_("Her consent is withdrawn and her data is erased."), "success")
        return redirect(url_for("privacy.overview") if may_erase(g.user) else url_for("home.index"))
    flash(_("Her consent is withdrawn. She is in no list or group, and gets no texts."), "success")
    return redirect(url_for("participants.participant", participant_id=participant_id))


@bp.route("/participants/<id:participant_id>/withdrawal/undo", methods=["POST"])
@staff_required(*ADMIN_ROLES)
def undo_withdrawal(participant_id):
    """Take back a withdrawal recorded by mistake, before her data is erased."""
    participant = participant_or_404(participant_id)
    if participant["withdrawn_at"]:
        erasure.undo_withdrawal(get_db(), participant_id, g.user["id"])
        flash(
            _("The withdrawal is taken back. Enrol her in her groups again and make her a new link."),
            "success",
        )
    return redirect(url_for("participants.participant", participant_id=participant_id))


@bp.route("/participants/<id:participant_id>/erase", methods=["GET", "POST"])
@staff_required(*ADMIN_ROLES)
def erase(participant_id):
    """Erase everything about her now (an administrator, after confirming)."""
    participant = participant_or_404(participant_id)
    form = EraseForm(formdata=None) if request.method == "GET" else EraseForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("privacy/erase.html", participant=participant, form=form), status
    erasure.erase(get_db(), participant_id, "erased_by_admin")
    flash(_("Everything about her is erased."), "success")
    return redirect(url_for("privacy.overview"))


# ---- Her access request ----------------------------------------------------------------------------------


@bp.route("/participants/<id:participant_id>/export")
@staff_required(*ADMIN_ROLES)
def export(participant_id):
    """Everything held about her (GDPR art. 15): a printable page in the language of the URL, or JSON."""
    participant_or_404(participant_id)
    db = get_db()
    as_json = request.args.get("format") == "json"
    with transaction(db):
        audit.record(db, "participant.export", participant_id, "json" if as_json else "html")
        held = queries.everything_about(db, participant_id)
    if as_json:
        response = current_app.response_class(
            export_document.document(participant_id, held), mimetype="application/json"
        )
        response.headers["Content-Disposition"] = f'attachment; filename="access-{participant_id}.json"'
        return response
    return export_document.page(held)


# ---- The administrator's overview: awaiting erasure, retention, the audit log ------------------------------


def render_overview(form, status=200):
    db = get_db()
    due, old_audit_rows = erasure.run_retention(db, dry_run=True)
    user_id = request.args.get("user", type=int)
    participant_id = request.args.get("participant", type=int)
    return render_template(
        "privacy/overview.html",
        programme_ends_on=settings.get_date(get_db(), "programme_ends_on"),
        awaiting=queries.awaiting_erasure(db),
        due=due,
        old_audit_rows=old_audit_rows,
        form=form,
        way_labels=WAY_LABELS,
        log=audit.search(db, user_id=user_id, participant_id=participant_id, limit=200),
        log_user=user_id,
        staff_members=staff_queries.all_users(db),
        log_participant=participant_id,
    ), status


@bp.route("/admin/privacy", methods=["GET", "POST"])
@staff_required(*ADMIN_ROLES)
def overview():
    """Who awaits erasure, what the retention rules would erase now, their settings, and the audit log."""
    db = get_db()
    if request.method == "GET":
        return render_overview(RetentionForm(formdata=None, data=settings.get_all(db)))
    form = RetentionForm()
    if not form.validate_on_submit():
        return render_overview(form, status=400)
    keys = [key for key in settings.DEFAULTS if key in form]  # the business case's are the programme's
    with transaction(db):
        for key in keys:
            settings.put(db, key, getattr(form, key).data, g.user["id"])
        audit.record(
            db,
            "settings.retention",
            detail=" ".join(f"{k}:{getattr(form, k).data}" for k in keys),
        )
    flash(_("The retention rules are saved."), "success")
    return redirect(url_for("privacy.overview"))


@bp.route("/admin/privacy/audit.csv")
@staff_required(*ADMIN_ROLES)
def audit_export():
    """The audit log (or one staff member's or one woman's part of it) as CSV: ids, never names."""
    db = get_db()
    user_id = request.args.get("user", type=int)
    participant_id = request.args.get("participant", type=int)
    rows = audit.search(db, user_id=user_id, participant_id=participant_id, limit=1_000_000)
    with transaction(db):
        audit.record(db, "audit.export", participant_id, f"user:{user_id or ''}")
    header = ["id", "at", "staff_id", "staff", "action", "participant_id", "detail"]
    lines = [
        [
            row["id"],
            row["at"],
            row["user_id"] or "",
            row["username"] or "",
            row["action"],
            row["participant_id"] or "",
            row["record"],
        ]
        for row in rows
    ]
    return csv_download([header, *lines], "audit-log")
