from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import audit
import clock
import settings
from access import REPORT_WRITERS, RESULTS_ROLES, may_see_exact_counts, may_write_reports, staff_required
from choices import MEASURES
from db import get_db, transaction
from downloads import csv_download, xlsx_download
from i18n import current_language, text_direction

from . import bp, charts, exports, figures, periods, queries
from .forms import BUSINESS_CASE_SETTINGS, MilestoneForm, ProgrammeForm, ReportTextsForm


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
        for key in BUSINESS_CASE_SETTINGS:
            settings.put(db, key, getattr(form, key).data, g.user["id"])
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


def dashboard_charts(way, monthly, attendance, aims, rtl):
    """The dashboard's pictures, each from the table shown beside it."""

    def column(table, index):
        return [cells[index] for _label, cells in table.rows]

    def totals(table):
        return table.totals or [0] * len(table.columns)

    ordinary_job = queries.FLOWS.index("ordinary_job")
    changes = [
        (label, change if shown != "" else None, shown or "–")
        for (label, (_women, shown)), (_count, change) in zip(aims.rows, aims.numbers, strict=True)
    ]
    return {
        "way": charts.bars(list(zip(way.columns, totals(way), strict=True)), rtl),
        "enrolled": charts.columns(list(zip(monthly.short_labels, column(monthly, 0), strict=True)), rtl),
        "ordinary_job": charts.columns(
            list(zip(monthly.short_labels, column(monthly, ordinary_job), strict=True)), rtl
        ),
        "attendance": charts.columns(list(zip(attendance.columns, totals(attendance), strict=True)), rtl),
        "aims": charts.changes(changes, rtl),
    }


@bp.route("/results")
@staff_required(*RESULTS_ROLES)
def results():
    """The dashboard: the milestones and how far the programme has come; the way to work by a breakdown;
    enrolments and results per month; attendance per group; the change on the four aims. Exact numbers
    for staff who see the records, protected ones for the steering group."""
    db = get_db()
    today = clock.today().isoformat()
    this_month = today[:7]
    exact = may_see_exact_counts(g.user)
    by = request.args.get("by", "channel")
    if by not in figures.FUNNEL_BREAKDOWNS:
        by = "channel"
    rows, today_figures = figures.milestone_progress(db, today, exact)
    way = figures.way_to_work(db, by, this_month, exact)
    monthly = figures.month_by_month(db, queries.month_after(this_month, -11), this_month, exact)
    attendance = figures.attendance(db, queries.month_after(this_month, -5), this_month, exact)
    aims = figures.aims(db, today, exact)
    rtl = text_direction(current_language()) == "rtl"
    return render_template(
        "reports/results.html",
        exact=exact,
        by=by,
        breakdowns={key: figures.BREAKDOWN_NAMES[key] for key in figures.FUNNEL_BREAKDOWNS},
        way=way,
        monthly=monthly,
        attendance=attendance,
        aims=aims,
        business_case=figures.business_case(db, today, exact),
        so_far=figures.measures_table(today_figures, exact),
        charts=dashboard_charts(way, monthly, attendance, aims, rtl),
        rows=rows,
        measures=MEASURES,
        name=settings.get_text(db, "programme_name"),
        funder=settings.get_text(db, "funder"),
        starts_on=settings.get_date(db, "programme_starts_on"),
        ends_on=settings.get_date(db, "programme_ends_on"),
    )


def report_period():
    """The period asked for (`?period=`), the default half-year when none; 400 when it is not one."""
    db = get_db()
    starts_on, ends_on = (
        settings.get_date(db, "programme_starts_on"),
        settings.get_date(db, "programme_ends_on"),
    )
    today = clock.today()
    key = request.args.get("period")
    if not key:
        return periods.default(starts_on, ends_on, today)
    period = periods.parse(key, starts_on, ends_on, today)
    if period is None:
        abort(400)
    return period


def report_parts(period):
    """What every form of a report holds: what it is, its sections, the texts written for it."""
    db = get_db()
    today = clock.today()
    return (
        figures.about(db, period, today),
        figures.report(db, period, today, clock.now_iso()),
        queries.report_texts(db, period.key),
    )


def render_report(period, form=None, status=200):
    db = get_db()
    about, sections, texts = report_parts(period)
    starts_on, ends_on = (
        settings.get_date(db, "programme_starts_on"),
        settings.get_date(db, "programme_ends_on"),
    )
    may_write = may_write_reports(g.user)
    return render_template(
        "reports/report.html",
        period=period,
        periods=periods.choices(starts_on, ends_on, clock.today()),
        about=about,
        sections=sections,
        texts=texts,
        text_titles=figures.TEXT_SECTIONS,
        form=(form or ReportTextsForm(formdata=None, data=texts)) if may_write else None,
    ), status


@bp.route("/report")
@staff_required(*RESULTS_ROLES)
def report():
    """The half-yearly follow-up or the final report, printable on A4: every count protected (it leaves the
    app), and the texts the project lead writes."""
    return render_report(report_period())


@bp.route("/report/texts", methods=["POST"])
@staff_required(*REPORT_WRITERS)
def report_texts():
    """Save what the project lead wrote for a period's report."""
    period = report_period()
    form = ReportTextsForm()
    if not form.validate_on_submit():
        return render_report(period, form=form, status=400)
    db = get_db()
    with transaction(db):
        for section in figures.TEXT_SECTIONS:
            queries.put_report_text(db, period.key, section, getattr(form, section).data or "", g.user["id"])
        audit.record(db, "report.texts", detail=f"period:{period.key}")
    flash(_("The report's texts are saved."), "success")
    return redirect(url_for("reports.report", period=period.key) + "#texts")


def report_filename(period):
    return f"report-{period.key}"


def record_report_download(period, kind):
    with transaction(get_db()):
        audit.record(get_db(), "report.download", detail=f"period:{period.key} {kind}")


@bp.route("/report.xlsx")
@staff_required(*RESULTS_ROLES)
def report_xlsx():
    """The report's tables as an Excel workbook, one sheet per table."""
    period = report_period()
    about, sections, _texts = report_parts(period)
    record_report_download(period, "xlsx")
    return xlsx_download(exports.sheets(about, sections), report_filename(period))


@bp.route("/report.csv")
@staff_required(*RESULTS_ROLES)
def report_csv():
    """The report's figures as CSV, one row per figure."""
    period = report_period()
    _about, sections, _texts = report_parts(period)
    record_report_download(period, "csv")
    return csv_download(exports.long_rows(sections), report_filename(period))
