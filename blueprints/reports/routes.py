from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import audit
import clock
import settings
from access import RESULTS_ROLES, may_see_exact_counts, staff_required
from choices import CHANNELS, MEASURES
from db import get_db, transaction

from . import bp, queries
from .forms import MilestoneForm, ProgrammeForm
from .suppression import suppress


def render_programme(form=None, milestone_form=None, status=200):
    """The programme's settings and its milestones, each form with its errors."""
    db = get_db()
    return render_template(
        "reports/programme.html",
        form=form or ProgrammeForm(formdata=None, data=settings.get_all(db)),
        milestone_form=milestone_form or MilestoneForm(formdata=None, prefix="milestone"),
        milestones=queries.milestones(db),
        measures=MEASURES,
    ), status


@bp.route("/programme", methods=["GET", "POST"])
@staff_required("admin")
def programme():
    """The programme's name, funder and period."""
    if request.method == "GET":
        return render_programme()
    form = ProgrammeForm()
    if not form.validate_on_submit():
        return render_programme(form=form, status=400)
    db = get_db()
    with transaction(db):
        for key in settings.TEXTS:
            settings.put_text(db, key, getattr(form, key).data or "", g.user["id"])
        for key in settings.DATES:
            settings.put_date(db, key, getattr(getattr(form, key), "parsed", None), g.user["id"])
        audit.record(db, "settings.programme")
    flash(_("The programme's settings are saved."), "success")
    return redirect(url_for("reports.programme"))


@bp.route("/programme/milestones", methods=["POST"])
@staff_required("admin")
def add_milestone():
    """Add a milestone: by a day, a measure reaches a target."""
    form = MilestoneForm(prefix="milestone")
    if not form.validate_on_submit():
        return render_programme(milestone_form=form, status=400)
    db = get_db()
    with transaction(db):
        queries.add_milestone(
            db,
            form.due_on.parsed.isoformat(),
            form.measure.data,
            form.target.data,
            form.share.data,
            g.user["id"],
        )
        audit.record(db, "milestone.add")
    flash(_("The milestone is added."), "success")
    return redirect(url_for("reports.programme") + "#milestones")


@bp.route("/programme/milestones/<id:milestone_id>/delete", methods=["POST"])
@staff_required("admin")
def delete_milestone(milestone_id):
    db = get_db()
    with transaction(db):
        if not queries.delete_milestone(db, milestone_id):
            abort(404)
        audit.record(db, "milestone.delete", detail=f"milestone:{milestone_id}")
    flash(_("The milestone is deleted."), "success")
    return redirect(url_for("reports.programme") + "#milestones")


def progress(milestone, figures):
    """How far a milestone has come: (now, reached) with `now` a number, or a share in % of the enrolled."""
    count = figures[milestone["measure"]]
    if milestone["share"]:
        now = round(100 * count / figures["enrolled"]) if figures["enrolled"] else 0
    else:
        now = count
    return now, now >= milestone["target"]


def funnel_table(funnel, exact):
    """The way to work by channel, as shown: ([(channel label, [counts])], [counts of every channel]). For
    whoever may not see exact counts, counts of 1 to 4 and enough others to protect them are "<5"."""
    channels = [key for key in (*CHANNELS, "") if key in funnel]
    cells = [funnel[key] for key in channels]
    labels = [CHANNELS.get(key, _("Not recorded")) for key in channels]
    if not cells:
        return [], []
    table = suppress(cells) if not exact else None
    rows, columns = len(cells), len(cells[0])
    shown = table.shown if table else (lambda r, c: cells[r][c] if r < rows else sum(row[c] for row in cells))
    return (
        [(labels[r], [shown(r, c) for c in range(columns)]) for r in range(rows)],
        [shown(rows, c) for c in range(columns)],
    )


@bp.route("/results")
@staff_required(*RESULTS_ROLES)
def results():
    """The milestones and how far the programme has come, in exact numbers (staff who see the records)."""
    db = get_db()
    today = clock.today().isoformat()
    milestones = queries.milestones(db)
    figures_on = queries.measures_on_days(db, [today, *(min(m["due_on"], today) for m in milestones)])
    rows = []
    for milestone in milestones:
        now, reached = progress(milestone, figures_on[min(milestone["due_on"], today)])
        state = "reached" if reached else ("missed" if milestone["due_on"] < today else "open")
        rows.append({"milestone": milestone, "now": now, "state": state})
    exact = may_see_exact_counts(g.user)
    funnel_rows, funnel_totals = funnel_table(queries.funnel_by_channel(db), exact)
    return render_template(
        "reports/results.html",
        exact=exact,
        funnel_rows=funnel_rows,
        funnel_totals=funnel_totals,
        rows=rows,
        today_figures=figures_on[today],
        measures=MEASURES,
        name=settings.get_text(db, "programme_name"),
        funder=settings.get_text(db, "funder"),
        starts_on=settings.get_date(db, "programme_starts_on"),
        ends_on=settings.get_date(db, "programme_ends_on"),
    )
