"""The casework pages: new sign-ups to call and the call, enrolment and leaving, "My women" (the caseload) and
contacts, her pathway's steps and the companies, her answers on the four aims, her CV, corrections to her record
and her timeline."""

import uuid

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import access
import audit
import clock
import settings
from access import CASEWORK_ROLES, staff_required
from choices import (
    BENEFITS,
    CALL_OUTCOMES,
    CHANNELS,
    COMPANY_STEPS,
    CONTACT_KINDS,
    LEAVING_REASONS,
    PROGRESS_AIM_NAMES,
    PROGRESS_AIMS,
    STEP_KINDS,
)
from db import get_db, transaction
from form_fields import as_id
from i18n import text_direction
from outbox import UUID4, process_items

from ..outreach import queries as outreach
from ..outreach import validation
from ..participants import queries as participants
from ..pwa.offline import offline_page
from . import bp, pathway, queries
from .forms import (
    CallForm,
    CompanyForm,
    ContactForm,
    CvForm,
    EnrolForm,
    HoursForm,
    LeaveForm,
    OffBenefitForm,
    ProgressForm,
    StepForm,
)

# What the timeline says a text or a change to her record was.
TEXT_KINDS = {
    "reminder": _l("Reminder"),
    "cancelled": _l("Cancelled meeting"),
    "moved": _l("Moved meeting"),
    "link": _l("Link to her page"),
}
CHANGES = {
    "participant.edit": _l("Her record was corrected"),
    "participant.take_on": _l("A new coordinator took her on"),
    "cv.save": _l("Her CV was written"),
    "step.change": _l("A step was corrected"),
    "step.delete": _l("A step was deleted"),
    "step.hours": _l("Hours of a small job were written"),
    "signup.join": _l("A sign-up was added to her record"),
    "signup.separate": _l("A sign-up was registered on its own"),
    "participant.withdraw": _l("She withdrew her consent"),
    "participant.withdraw_undo": _l("A withdrawal recorded by mistake was taken back"),
}


def her_record_or_404(participant_id, present=True):
    """Her record for casework: 404 (no such woman), 403 (not for this staff member), 409 (she withdrew)."""
    access.require_casework(get_db(), g.user, participant_id, present)
    return participants.participant(get_db(), participant_id)


def back_to(participant_id):
    """Where a form sent from the caseload or the queue goes back to (never an address from outside)."""
    return {
        "caseload": url_for("casework.caseload"),
        "calls": url_for("casework.calls"),
    }.get(request.form.get("back"), url_for("participants.participant", participant_id=participant_id))


# ---- New sign-ups to call ---------------------------------------------------------------------------------


@bp.route("/calls")
@staff_required(*CASEWORK_ROLES)
def calls():
    """Every sign-up not yet contacted, who waited longest first, with the working days she waited; the
    sign-ups with a known number that wait for a decision; and the women set aside after no answer."""
    db = get_db()
    today = clock.today()
    women = [with_waiting(row, today) for row in queries.women_to_call(db, g.user)]
    with transaction(db):
        audit.record(db, "calls.view", detail=f"women:{len(women)}")
    return render_template(
        "casework/calls.html",
        women=women,
        set_aside=[with_waiting(row, today) for row in queries.women_to_call(db, g.user, stage="set_aside")],
        contacted=queries.contacted_not_enrolled(db, g.user),
        awaiting=outreach.awaiting_signups(db, g.user),
        channels=CHANNELS,
        tries_allowed=settings.get(db, "call_tries"),
        call_within=pathway.CALL_WITHIN_WORKING_DAYS,
    )


def with_waiting(row, today):
    signed_up_on = queries.as_day(row["waiting_since"])
    return dict(row) | {
        "working_days": pathway.working_days_between(signed_up_on, today),
        "overdue": pathway.call_overdue(signed_up_on, today),
    }


@bp.route("/participants/<id:participant_id>/call", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def call(participant_id):
    """Record a call to her: reached, a meeting booked, no answer, not interested now, or a wrong number."""
    row = her_record_or_404(participant_id)
    db = get_db()
    form = CallForm()
    if form.validate_on_submit():
        meeting_on = form.meeting_on.data if form.outcome.data == "meeting_booked" else None
        with transaction(db):
            stage = queries.record_call(
                db,
                participant_id,
                form.outcome.data,
                meeting_on,
                g.user["id"],
                settings.get(db, "call_tries"),
            )
            audit.record(db, "call.record", participant_id, form.outcome.data)
        flash(call_message(stage), "ok")
        return redirect(url_for("casework.calls"))
    return render_template(
        "casework/call.html",
        form=form,
        participant=row,
        calls=queries.calls_of(db, participant_id),
        tries=queries.tries_since_waiting(db, participant_id),
        tries_allowed=settings.get(db, "call_tries"),
        outcomes=CALL_OUTCOMES,
    ), 400 if form.is_submitted() else 200


def call_message(stage):
    """What the flash says: never her name (flashes are kept in the session's row until shown)."""
    return {
        "contacted": _("The call is recorded: she is contacted. Enrol her when you have met her."),
        "new": _("The call is recorded: no answer. She stays on the list."),
        "set_aside": _("The call is recorded: no answer again, so she is set aside."),
        "closed": _("The call is recorded: her sign-up is closed."),
    }.get(stage, _("The call is recorded."))


@bp.route("/participants/<id:participant_id>/dial/<any(tel, sms):how>")
@staff_required(*CASEWORK_ROLES)
def dial(participant_id, how):
    """Call or text her: her number is fetched only now, so the lists kept on a phone hold first names only."""
    her_record_or_404(participant_id)
    phone = queries.phone_of(get_db(), participant_id)
    if not phone:
        flash(_("She has no phone number."), "error")
        return redirect(url_for("participants.participant", participant_id=participant_id))
    return redirect(f"{how}:{phone}", code=303)


# ---- Enrolment and leaving --------------------------------------------------------------------------------


@bp.route("/participants/<id:participant_id>/enrol", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def enrol(participant_id):
    """Enrol her in the programme ("visitation"), any day of the year."""
    row = her_record_or_404(participant_id)
    db = get_db()
    if queries.open_visitation(db, participant_id) is not None:
        flash(_("She is enrolled already."), "error")
        return redirect(url_for("participants.participant", participant_id=participant_id))
    form = EnrolForm()
    staff = queries.casework_staff(db)
    form.coordinator_id.choices = [(str(person["id"]), person["name"]) for person in staff]
    if not form.is_submitted():
        form.enrolled_on.data = clock.today().isoformat()
        form.coordinator_id.data = str(row["coordinator_id"] or g.user["id"])
        form.action_plan.data = "not_yet"
    if form.validate_on_submit():
        enrolment = {
            "enrolled_on": form.enrolled_on.data,
            "coordinator_id": int(form.coordinator_id.data),
            "benefit": form.benefit.data,
            "action_plan": form.action_plan.data,
            "action_plan_on": form.action_plan_on.data if form.action_plan.data == "agreed" else None,
            "planned_end_on": form.planned_end_on.data or None,
        }
        left_on = queries.last_left_on(db, participant_id)
        if left_on and form.enrolled_on.parsed < left_on:
            form.enrolled_on.errors.append(
                _("She left the programme on %(day)s: enrol her from that day.", day=left_on)
            )
        else:
            with transaction(db):
                if not queries.enrol(db, participant_id, enrolment, g.user["id"]):
                    abort(409)
                audit.record(db, "participant.enrol", participant_id)
            flash(_("She is enrolled."), "ok")
            return redirect(url_for("participants.participant", participant_id=participant_id))
    return render_template(
        "casework/enrol.html", form=form, participant=row
    ), 400 if form.is_submitted() else 200


@bp.route("/participants/<id:participant_id>/leave", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def leave(participant_id):
    """She leaves the programme: the day and why. Her history stays, and she may come back."""
    row = her_record_or_404(participant_id)
    db = get_db()
    visitation = queries.open_visitation(db, participant_id)
    if visitation is None:
        flash(_("She is not enrolled."), "error")
        return redirect(url_for("participants.participant", participant_id=participant_id))
    form = LeaveForm(enrolled_on=queries.as_day(visitation["enrolled_on"]))
    if not form.is_submitted():
        form.left_on.data = clock.today().isoformat()
    if form.validate_on_submit():
        with transaction(db):
            queries.leave(db, participant_id, form.left_on.data, form.reason.data)
            audit.record(db, "participant.leave", participant_id, form.reason.data)
        flash(_("She has left the programme. Her history stays."), "ok")
        return redirect(url_for("participants.participant", participant_id=participant_id))
    return render_template(
        "casework/leave.html", form=form, participant=row, visitation=visitation
    ), 400 if form.is_submitted() else 200


@bp.route("/participants/<id:participant_id>/benefit", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def off_benefit(participant_id):
    """When she came off public benefit (and back on it): the business case counts the months."""
    row = her_record_or_404(participant_id)
    db = get_db()
    known = queries.off_benefit_of(db, participant_id)
    form = OffBenefitForm(
        data={"off_from": known["off_benefit_from"] or "", "back_on": known["off_benefit_until"] or ""}
    )
    if form.validate_on_submit():
        off_from, back_on = form.off_from.data or None, form.back_on.data or None
        with transaction(db):
            queries.record_off_benefit(db, participant_id, off_from, back_on)
            audit.record(
                db, "participant.benefit", participant_id, f"off {off_from or '-'} back {back_on or '-'}"
            )
        flash(_("Saved."), "ok")
        return redirect(url_for("participants.participant", participant_id=participant_id) + "#pathway")
    return render_template(
        "casework/benefit.html", form=form, participant=row
    ), 400 if form.is_submitted() else 200


def item_id_from_form():
    """The id the form was given when shown, so that sending it twice stores one contact."""
    item_id = request.form.get("item_id", "")
    return item_id if UUID4.match(item_id) else str(uuid.uuid4())


# ---- My women ---------------------------------------------------------------------------------------------


@bp.route("/my-women")
@staff_required(*CASEWORK_ROLES)
@offline_page
def caseload():
    """A coordinator's enrolled women, most urgent first; first names only, so the phone may keep it."""
    db = get_db()
    today = clock.today()
    if access.may_see_caseload_of_others(g.user):
        coordinator_id = request.args.get("coordinator", type=int)
    else:
        coordinator_id = g.user["id"]
    women = queries.caseload(db, g.user, coordinator_id, today)
    limit = settings.get(db, "caseload_limit")
    return render_template(
        "casework/caseload.html",
        women=women,
        coordinator_id=coordinator_id,
        coordinators=queries.coordinators_with_caseloads(db)
        if access.may_see_caseload_of_others(g.user)
        else [],
        too_many=coordinator_id is not None and len(women) > limit,
        limit=limit,
        today=today,
        step_kinds={key: str(name) for key, name in STEP_KINDS.items()},  # once, not once a row
        contact_kinds=CONTACT_KINDS,
        contact_form=ContactForm(formdata=None),
        # Her record's address without its id: 350 women need 1,400 links, and url_for is the slow part.
        records=url_for("participants.participant", participant_id=0).removesuffix("0"),
        amber_days=pathway.CONTACT_AMBER_DAYS,
        red_days=pathway.CONTACT_RED_AFTER_DAYS,
        red_weeks=pathway.ACTIVITY_RED_AFTER_WEEKS,
    )


@bp.route("/participants/<id:participant_id>/contact")
@staff_required(*CASEWORK_ROLES)
def contact_form(participant_id):
    """The contact form for one woman (the caseload's button without JavaScript)."""
    row = her_record_or_404(participant_id)
    back = request.args.get("back", "")
    return render_template(
        "casework/contact.html",
        form=ContactForm(formdata=None),
        participant=row,
        back=back if back in ("caseload", "calls") else "",
        item_id=str(uuid.uuid4()),
        contact_kinds=CONTACT_KINDS,
    )


@bp.route("/participants/<id:participant_id>/contacts", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def add_contact(participant_id):
    """Record a contact by the form (without JavaScript): the same item a phone sends through the outbox."""
    row = her_record_or_404(participant_id)
    form = ContactForm()
    db = get_db()
    errors = {}
    if form.validate_on_submit():
        moment = form.contacted_at()
        if moment is None:
            errors["when"] = _("Write when it was: a day and a time, not in the future.")
        else:
            item = {
                "id": item_id_from_form(),
                "kind": "contact",
                "recorded_at": clock.now_iso(),
                "data": {
                    "participant_id": participant_id,
                    "kind": form.kind.data,
                    "contacted_at": moment.isoformat(),
                    "note": form.note.data or "",
                },
            }
            [answer] = process_items(db, [item], g.user["id"])
            if answer["status"] in ("ok", "duplicate"):
                flash(_("The contact is recorded."), "ok")
                return redirect(back_to(participant_id))
            errors = {
                ("when" if key == "contacted_at" else key): value for key, value in answer["errors"].items()
            }
    else:
        errors = {}
    for name, message in errors.items():  # the outbox's answer, on the form's fields
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
    return render_template(
        "casework/contact.html",
        form=form,
        participant=row,
        back=request.form.get("back", ""),
        item_id=request.form.get("item_id", ""),
        contact_kinds=CONTACT_KINDS,
    ), 400


# ---- Pathway steps ----------------------------------------------------------------------------------------


def step_form(db, formdata=None, **kwargs):
    rows = queries.companies(db)
    form = StepForm(formdata=formdata, company_ids=[row["id"] for row in rows], **kwargs)
    form.company_id.choices = [("", _("No company"))] + [(str(row["id"]), row["name"]) for row in rows]
    return form


def step_problem(db, participant_id, values, step_id=None):
    """(field, message) when the step cannot be as written: ending before she was first enrolled, or the same
    step at the same company twice at once."""
    enrolled_on = queries.first_enrolled_on(db, participant_id)
    end = values["ended_on"] or values["planned_end"]
    if enrolled_on and end and queries.as_day(end) < enrolled_on:
        field = "ended_on" if values["ended_on"] else "planned_end"
        return field, _("A step cannot end before she was enrolled (%(day)s).", day=enrolled_on.isoformat())
    if queries.clashing_step(db, participant_id, values, step_id):
        return "planned_start", _("She has this step at this company at that time already.")
    return None


def save_step(participant_id, row, form, step_id=None):
    """Check the step against her other steps and store it; return the page to show when it cannot be."""
    db = get_db()
    values = form.values()
    problem = step_problem(db, participant_id, values, step_id)
    if problem:
        field = getattr(form, problem[0])
        field.errors = [*field.errors, problem[1]]
        return None
    with transaction(db):
        if step_id is None:
            step_id = queries.add_step(db, participant_id, values, g.user["id"])
            audit.record(db, "step.add", participant_id, f"step:{step_id} {values['kind']}")
        else:
            queries.change_step(db, step_id, values)
            audit.record(db, "step.change", participant_id, f"step:{step_id} {values['kind']}")
    return step_id


@bp.route("/participants/<id:participant_id>/steps/new", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def new_step(participant_id):
    """A step on her way to work: a course, a company visit, an internship, a job, education…"""
    row = her_record_or_404(participant_id)
    db = get_db()
    if queries.first_enrolled_on(db, participant_id) is None:
        flash(_("Enrol her first: her steps start with her enrolment."), "error")
        return redirect(url_for("participants.participant", participant_id=participant_id))
    form = step_form(db, formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.kind.data = request.args.get("kind", "")
    if request.method == "POST" and form.validate():
        step_id = save_step(participant_id, row, form)
        if step_id is not None:
            flash(_("The step is recorded."), "ok")
            return redirect(url_for("casework.edit_step", participant_id=participant_id, step_id=step_id))
    return render_step_page(row, form, None), 400 if request.method == "POST" else 200


@bp.route("/participants/<id:participant_id>/steps/<id:step_id>", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def edit_step(participant_id, step_id):
    """One of her steps: correct it, mark it started or done; a small job's hours month by month."""
    row = her_record_or_404(participant_id)
    db = get_db()
    current = queries.step(db, participant_id, step_id) or abort(404)
    form = step_form(db, formdata=request.form if request.method == "POST" else None, data=step_data(current))
    if request.method == "POST" and form.validate() and save_step(participant_id, row, form, step_id):
        flash(_("The step is saved."), "ok")
        return redirect(url_for("casework.edit_step", participant_id=participant_id, step_id=step_id))
    return render_step_page(row, form, current), 400 if request.method == "POST" else 200


def step_data(step):
    data = {
        name: step[name] or "" for name in ("kind", "planned_start", "planned_end", "started_on", "ended_on")
    }
    data["company_id"] = str(step["company_id"] or "")
    data["full_time"] = "" if step["full_time"] is None else str(step["full_time"])
    data["hours_per_week"] = "" if step["hours_per_week"] is None else f"{step['hours_per_week']:g}"
    return data


def render_step_page(row, form, current, hours_form=None):
    db = get_db()
    months = pathway.last_twelve_months(clock.today())
    hours = queries.hours_of(db, current["id"]) if current else []
    if hours_form is None:
        hours_form = HoursForm(formdata=None, data={"month": clock.today().strftime("%Y-%m")})
    return render_template(
        "casework/step.html",
        form=form,
        participant=row,
        step=current,
        hours=hours,
        hours_form=hours_form,
        year_hours=queries.hours_in_months(db, row["id"], months),
        year_target=pathway.YEAR_HOURS,
        month_target=pathway.SMALL_JOB_MONTH_HOURS,
        step_kinds=STEP_KINDS,
        company_steps=COMPANY_STEPS,
    )


@bp.route("/participants/<id:participant_id>/steps/<id:step_id>/hours", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def step_hours(participant_id, step_id):
    """A small job's hours in one month (written again, the month's hours are replaced)."""
    row = her_record_or_404(participant_id)
    db = get_db()
    current = queries.step(db, participant_id, step_id) or abort(404)
    hours_form = HoursForm()
    if hours_form.validate_on_submit():
        with transaction(db):
            queries.put_hours(db, step_id, hours_form.month.data, hours_form.parsed_hours)
            audit.record(db, "step.hours", participant_id, f"step:{step_id} {hours_form.month.data}")
        flash(_("The hours are saved."), "ok")
        return redirect(
            url_for("casework.edit_step", participant_id=participant_id, step_id=step_id) + "#month-hours"
        )
    form = step_form(db, data=step_data(current))
    return render_step_page(row, form, current, hours_form), 400


@bp.route("/participants/<id:participant_id>/steps/<id:step_id>/delete", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def delete_step(participant_id, step_id):
    """Delete a step recorded by mistake (with its hours)."""
    her_record_or_404(participant_id)
    db = get_db()
    queries.step(db, participant_id, step_id) or abort(404)
    with transaction(db):
        queries.delete_step(db, step_id)
        audit.record(db, "step.delete", participant_id, f"step:{step_id}")
    flash(_("The step is deleted."), "ok")
    return redirect(url_for("participants.participant", participant_id=participant_id) + "#pathway")


# ---- Companies --------------------------------------------------------------------------------------------


@bp.route("/companies", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def companies():
    """The companies that take women for visits, internships and jobs; a new one."""
    db = get_db()
    form = CompanyForm()
    if form.validate_on_submit():
        values = form.values()
        if values["cvr"] and queries.company_by_cvr(db, values["cvr"]):
            form.cvr.errors = [*form.cvr.errors, _("A company with this CVR number is on the list already.")]
        else:
            with transaction(db):
                company_id = queries.add_company(db, values, g.user["id"])
                audit.record(db, "company.add", detail=f"company:{company_id}")
            flash(_("The company is added."), "ok")
            return redirect(url_for("casework.company", company_id=company_id))
    return render_template(
        "casework/companies.html", form=form, companies=queries.companies(db)
    ), 400 if form.is_submitted() else 200


@bp.route("/companies/<id:company_id>", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def company(company_id):
    """A company: its details and the steps women took there."""
    db = get_db()
    row = queries.company(db, company_id) or abort(404)
    form = CompanyForm(formdata=request.form if request.method == "POST" else None, data=dict(row))
    if request.method == "POST" and form.validate():
        values = form.values()
        if values["cvr"] and queries.company_by_cvr(db, values["cvr"], other_than=company_id):
            form.cvr.errors = [*form.cvr.errors, _("A company with this CVR number is on the list already.")]
        else:
            with transaction(db):
                queries.change_company(db, company_id, values)
                audit.record(db, "company.change", detail=f"company:{company_id}")
            flash(_("The company is saved."), "ok")
            return redirect(url_for("casework.company", company_id=company_id))
    return render_template(
        "casework/company.html",
        company=row,
        form=form,
        steps=queries.steps_at_company(db, g.user, company_id),
        step_kinds=STEP_KINDS,
    ), 400 if request.method == "POST" else 200


# ---- Progress on the four aims ----------------------------------------------------------------------------


@bp.route("/participants/<id:participant_id>/progress", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def progress(participant_id):
    """Ask her the four questions, in her language, on this phone: she taps a face for each."""
    row = her_record_or_404(participant_id)
    db = get_db()
    form = ProgressForm()
    if not form.is_submitted():
        form.asked_on.data = clock.today().isoformat()
    if form.validate_on_submit():
        with transaction(db):
            queries.add_progress(
                db, participant_id, form.asked_on.data, form.answers(), row["language"], g.user["id"]
            )
            audit.record(db, "progress.add", participant_id)
        flash(_("Her answers are saved."), "ok")
        return redirect(url_for("participants.participant", participant_id=participant_id) + "#progress")
    with force_locale(row["language"]):  # the questions in her language, the rest of the page in mine
        questions = {aim: str(text) for aim, text in PROGRESS_AIMS.items()}
        her_title = _("How are you doing?")
    return render_template(
        "casework/progress.html",
        form=form,
        participant=row,
        questions=questions,
        her_title=her_title,
        her_dir=text_direction(row["language"]),
        aims=PROGRESS_AIM_NAMES,
    ), 400 if form.is_submitted() else 200


# ---- Her competence CV ------------------------------------------------------------------------------------


@bp.route("/participants/<id:participant_id>/cv", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def cv(participant_id):
    """Her competence CV, made with her; shown to an employer only with her consent."""
    row = her_record_or_404(participant_id)
    db = get_db()
    saved = queries.cv_of(db, participant_id)
    data = dict(saved) if saved else {}
    form = CvForm(formdata=request.form if request.method == "POST" else None, data=data)
    if request.method == "GET":
        form.consent.data = bool(saved and saved["consent_on"])
    if request.method == "POST" and form.validate():
        with transaction(db):
            queries.save_cv(db, participant_id, form.values(), form.consent.data, g.user["id"])
            audit.record(db, "cv.save", participant_id, "consent" if form.consent.data else "")
        flash(_("Her CV is saved."), "ok")
        return redirect(url_for("casework.cv", participant_id=participant_id))
    return render_template(
        "casework/cv.html", form=form, participant=row, saved=saved
    ), 400 if request.method == "POST" else 200


@bp.route("/participants/<id:participant_id>/cv/print")
@staff_required(*CASEWORK_ROLES)
def print_cv(participant_id):
    """Her CV on one A4 page in Danish, for an employer: only with her consent."""
    row = her_record_or_404(participant_id)
    db = get_db()
    saved = queries.cv_of(db, participant_id)
    if saved is None or not saved["consent_on"]:
        flash(_("Her CV can be printed for an employer only when she has agreed to it."), "error")
        return redirect(url_for("casework.cv", participant_id=participant_id))
    with transaction(db):
        audit.record(db, "cv.print", participant_id)
    with force_locale("da"):
        labels = {name: str(field.label.text) for name, field in CvForm(formdata=None)._fields.items()}
        html = render_template("casework/cv_print.html", participant=row, cv=saved, labels=labels, lang="da")
    return html


# ---- Her record: corrections and the timeline -------------------------------------------------------------


def clean_record(db, data, participant_id):
    """Check corrected details with the sign-up's own rules; a phone may be empty (a shared phone's second
    woman) but never another woman's."""
    errors, clean = {}, {}
    for check in (validation.check_first_name, validation.check_language, validation.check_year_of_birth):
        check(db, data, clean, errors)
    if data.get("phone", "").strip():
        validation.check_phone(db, data, clean, errors)
        if clean.get("phone") and queries.other_woman_with_phone(db, clean["phone"], participant_id):
            errors["phone"] = _(
                "Another woman is registered with this number. If they share a phone, leave it empty."
            )
    else:
        clean["phone"] = None
    if data.get("estate_id", ""):
        validation.check_estate(db, data, clean, errors)
    else:
        clean["estate_id"] = None
    staff_ids = {person["id"] for person in queries.casework_staff(db)}
    coordinator_id = as_id(data.get("coordinator_id"))
    if data.get("coordinator_id") and coordinator_id not in staff_ids:
        errors["coordinator_id"] = _("Choose among the options shown.")
    clean["coordinator_id"] = coordinator_id
    return clean, errors


@bp.route("/participants/<id:participant_id>/edit", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def edit_record(participant_id):
    """Correct her first name, phone, language, estate, year of birth, and change her coordinator."""
    row = her_record_or_404(participant_id)
    db = get_db()
    stored = queries.record_details(db, participant_id)
    data = {key: "" if value is None else str(value) for key, value in dict(stored).items()}
    errors = {}
    if request.method == "POST":
        data = {key: request.form.get(key, "").strip() for key in data}
        clean, errors = clean_record(db, data, participant_id)
        if not errors:
            with transaction(db):
                changed = queries.correct_record(db, participant_id, clean)
                if changed:
                    audit.record(db, "participant.edit", participant_id, " ".join(changed))
            flash(_("Her record is saved.") if changed else _("Nothing was changed."), "ok")
            return redirect(url_for("participants.participant", participant_id=participant_id))
    return render_template(
        "casework/edit_record.html",
        participant=row,
        data=data,
        errors=errors,
        estates=outreach.estates(db),
        coordinators=queries.casework_staff(db),
    ), 400 if errors else 200


@bp.route("/participants/<id:participant_id>/timeline")
@staff_required(*CASEWORK_ROLES)
def timeline(participant_id):
    """Everything on her way, newest first: sign-ups, calls, contacts, groups, attendance, steps, answers,
    texts and changes to her record."""
    row = her_record_or_404(participant_id, present=False)
    db = get_db()
    with transaction(db):
        audit.record(db, "participant.view", participant_id, "timeline")
    return render_template(
        "casework/timeline.html",
        participant=row,
        events=queries.timeline(db, participant_id),
        labels={
            "signup": CHANNELS,
            "call": CALL_OUTCOMES,
            "contact": CONTACT_KINDS,
            "enrolled": BENEFITS,
            "left": LEAVING_REASONS,
            "step_started": STEP_KINDS,
            "step_planned": STEP_KINDS,
            "step_ended": STEP_KINDS,
            "text": TEXT_KINDS,
            "change": CHANGES,
        },
    )
