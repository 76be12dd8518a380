"""Forms of the casework: the first call, enrolment, contacts, leaving, steps, companies, progress and the CV."""

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp, ValidationError

import clock
from choices import (
    ACTION_PLANS,
    BENEFITS,
    CALL_OUTCOMES,
    COMPANY_STEPS,
    CONTACT_KINDS,
    FACES,
    LEAVING_REASONS,
    PROGRESS_AIMS,
    STEP_KINDS,
)
from form_fields import a_date, no_control_characters, no_control_characters_but_lines, strip_spaces

from .contacts import NOTE_MAX
from .queries import CV_FIELDS

# A day typed far from today is a typing error (2062 for 2026), not a plan.
FURTHEST_YEARS = 3


def not_in_the_future(form, field):
    if getattr(field, "parsed", None) and field.parsed > clock.today():
        raise ValidationError(_l("The day cannot be in the future."))


def not_in_the_past(form, field):
    if getattr(field, "parsed", None) and field.parsed < clock.today():
        raise ValidationError(_l("The day cannot be in the past."))


def near_today(form, field):
    parsed = getattr(field, "parsed", None)
    if parsed and abs((parsed - clock.today()).days) > FURTHEST_YEARS * 366:
        raise ValidationError(_l("Check the year."))


def choice_field(label, choices, message, radio=False):
    field = RadioField if radio else SelectField
    options = [SelectChoice(key, text) for key, text in choices.items()]
    if not radio:
        options = [SelectChoice("", _l("Choose…")), *options]
    return field(
        label, choices=options, validate_choice=False, validators=[AnyOf(list(choices), message=message)]
    )


def date_field(label, *validators, required=True):
    first = InputRequired(_l("Write the day.")) if required else Optional()
    return StringField(
        label,
        filters=[strip_spaces],
        validators=[first, a_date, near_today, *validators],
        render_kw={"type": "date"},
    )


class CallForm(FlaskForm):
    outcome = choice_field(
        _l("How did the call go?"), CALL_OUTCOMES, _l("Choose how the call went."), radio=True
    )
    meeting_on = date_field(_l("Day of the meeting"), not_in_the_past, required=False)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Here, not in a field validator: an empty field stops its own validators (Optional).
        if self.outcome.data == "meeting_booked" and not self.meeting_on.data:
            self.meeting_on.errors = [*self.meeting_on.errors, _l("Write the day of the meeting.")]
            valid = False
        return valid


class EnrolForm(FlaskForm):
    enrolled_on = date_field(_l("Day of enrolment"), not_in_the_future)
    coordinator_id = SelectField(_l("Her coordinator"), validate_choice=False)
    benefit = choice_field(_l("Her benefit situation"), BENEFITS, _l("Choose her benefit situation."))
    action_plan = choice_field(
        _l("Family action plan"), ACTION_PLANS, _l("Choose whether the plan is agreed."), radio=True
    )
    action_plan_on = date_field(_l("Day the plan was agreed"), not_in_the_future, required=False)
    planned_end_on = date_field(_l("Planned end of her course (if it is time-limited)"), required=False)

    def validate_coordinator_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose among the options shown."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.action_plan.data == "agreed" and not self.action_plan_on.data:
            self.action_plan_on.errors = [
                *self.action_plan_on.errors,
                _l("Write the day the plan was agreed."),
            ]
            valid = False
        return valid

    def validate_planned_end_on(self, field):
        start = getattr(self.enrolled_on, "parsed", None)
        end = getattr(field, "parsed", None)
        if start and end and end <= start:
            raise ValidationError(_l("The end must be after the start."))


class LeaveForm(FlaskForm):
    left_on = date_field(_l("Day she left"), not_in_the_future)
    reason = choice_field(_l("Why she left"), LEAVING_REASONS, _l("Choose why she left."))

    def __init__(self, *args, enrolled_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolled_on = enrolled_on

    def validate_left_on(self, field):
        if self.enrolled_on and getattr(field, "parsed", None) and field.parsed < self.enrolled_on:
            raise ValidationError(_l("She cannot leave before she was enrolled."))


class OffBenefitForm(FlaskForm):
    """When she came off public benefit, and back on it if she did: what the business case counts. Both
    empty: nothing recorded."""

    off_from = date_field(_l("Off public benefit from"), not_in_the_future, required=False)
    back_on = date_field(_l("Back on public benefit from (if she is)"), not_in_the_future, required=False)

    def validate_back_on(self, field):
        off_from = getattr(self.off_from, "parsed", None) if self.off_from.data else None
        back_on = getattr(field, "parsed", None) if field.data else None
        if back_on and not off_from:
            raise ValidationError(_l("Write first the day she came off public benefit."))
        if back_on and off_from and back_on <= off_from:
            raise ValidationError(_l("She came back on benefit after she came off it."))


class ContactForm(FlaskForm):
    """A contact by the form on her record (without JavaScript); the phone sends the same as an outbox item."""

    kind = choice_field(_l("How"), CONTACT_KINDS, _l("Choose how you met her."), radio=True)
    when = StringField(
        _l("When (empty: now)"),
        filters=[strip_spaces],
        validators=[Optional()],
        render_kw={"type": "datetime-local"},
    )
    note = TextAreaField(
        _l("Short note (optional)"),
        filters=[strip_spaces],
        validators=[no_control_characters_but_lines],
        render_kw={"maxlength": NOTE_MAX, "rows": 3},
    )

    def contacted_at(self):
        """The moment typed, as an aware time in Copenhagen (now when empty); None when it cannot be read."""
        if not self.when.data:
            return clock.now()
        try:
            moment = datetime.fromisoformat(self.when.data)
        except ValueError:
            return None
        return moment.replace(tzinfo=clock.LOCAL) if moment.utcoffset() is None else moment


def not_after_today(message):
    def check(form, field):
        if getattr(field, "parsed", None) and field.parsed > clock.today():
            raise ValidationError(message)

    return check


class StepForm(FlaskForm):
    kind = choice_field(_l("Step"), STEP_KINDS, _l("Choose the kind of step."))
    company_id = SelectField(_l("Company"), coerce=str, validate_choice=False)
    planned_start = date_field(_l("Planned start"), required=False)
    planned_end = date_field(_l("Planned end"), required=False)
    started_on = date_field(
        _l("Started"), not_after_today(_l("A step cannot have started in the future.")), required=False
    )
    ended_on = date_field(
        _l("Ended"),
        not_after_today(_l("A step cannot be done in the future: write its planned end.")),
        required=False,
    )
    full_time = RadioField(
        _l("Hours"),
        choices=[SelectChoice("1", _l("Full-time")), SelectChoice("0", _l("Part-time"))],
        validate_choice=False,
        validators=[Optional()],
    )
    hours_per_week = StringField(
        _l("Hours a week (part-time)"), filters=[strip_spaces], render_kw={"inputmode": "decimal"}
    )

    def __init__(self, *args, company_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.company_ids = {str(company_id) for company_id in company_ids}

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        problems = []
        kind = self.kind.data
        if kind in COMPANY_STEPS and not self.company_id.data:
            problems.append((self.company_id, _l("Choose the company.")))
        if self.company_id.data and self.company_id.data not in self.company_ids:
            problems.append((self.company_id, _l("Choose among the options shown.")))
        if not (self.planned_start.data or self.started_on.data):
            problems.append((self.planned_start, _l("Write when it starts or started.")))
        for start, end in ((self.planned_start, self.planned_end), (self.started_on, self.ended_on)):
            first, last = getattr(start, "parsed", None), getattr(end, "parsed", None)
            if first and last and last < first:
                problems.append((end, _l("The end must be after the start.")))
        if self.ended_on.data and not self.started_on.data:
            problems.append((self.started_on, _l("Write when it started.")))
        if kind == "ordinary_job":
            if self.full_time.data not in ("0", "1"):
                problems.append((self.full_time, _l("Choose full-time or part-time.")))
            elif self.full_time.data == "0" and self.hours() is None:
                problems.append((self.hours_per_week, _l("Write the hours a week, between 1 and 37.")))
        for field, message in problems:
            field.errors = [*field.errors, message]
        return valid and not problems

    def hours(self):
        try:
            hours = float((self.hours_per_week.data or "").replace(",", "."))
        except ValueError:
            return None
        return hours if 1 <= hours <= 37 else None

    def values(self):
        ordinary = self.kind.data == "ordinary_job"
        return {
            "kind": self.kind.data,
            "company_id": int(self.company_id.data) if self.company_id.data else None,
            "planned_start": self.planned_start.data or None,
            "planned_end": self.planned_end.data or None,
            "started_on": self.started_on.data or None,
            "ended_on": self.ended_on.data or None,
            "full_time": int(self.full_time.data) if ordinary else None,
            "hours_per_week": self.hours() if ordinary and self.full_time.data == "0" else None,
        }


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MOST_HOURS_IN_A_MONTH = 744  # 31 days of 24 hours


class HoursForm(FlaskForm):
    month = StringField(_l("Month"), filters=[strip_spaces], render_kw={"type": "month"})
    hours = StringField(_l("Hours worked"), filters=[strip_spaces], render_kw={"inputmode": "decimal"})

    def validate_month(self, field):
        if not MONTH.match(field.data or ""):
            raise ValidationError(_l("Write the month as year-month, e.g. 2027-01."))
        if field.data > clock.today().strftime("%Y-%m"):
            raise ValidationError(_l("The month cannot be in the future."))

    def validate_hours(self, field):
        try:
            hours = float((field.data or "").replace(",", "."))
        except ValueError:
            raise ValidationError(_l("Write the hours as a number.")) from None
        if not 0 <= hours <= MOST_HOURS_IN_A_MONTH:
            raise ValidationError(_l("Between 0 and 744 hours (a whole month, day and night)."))
        self.parsed_hours = hours


CVR = re.compile(r"^\d{8}$")
AT_MOST = _l("Write at most %(max)d characters.")


def phone_number(form, field):
    from ..outreach.validation import e164_phone

    if field.data and e164_phone(field.data) is None:
        raise ValidationError(_l("This phone number cannot be right."))


class CompanyForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[strip_spaces],
        validators=[
            InputRequired(_l("Write the company's name.")),
            Length(max=200, message=AT_MOST),
            no_control_characters,
        ],
    )
    address = StringField(
        _l("Address"),
        filters=[strip_spaces],
        validators=[Length(max=300, message=AT_MOST), no_control_characters],
    )
    contact_name = StringField(
        _l("Contact person"),
        filters=[strip_spaces],
        validators=[Length(max=120, message=AT_MOST), no_control_characters],
    )
    contact_phone = StringField(
        _l("Contact person's phone"),
        filters=[strip_spaces],
        validators=[Length(max=40, message=AT_MOST), phone_number],
        render_kw={"type": "tel", "dir": "ltr"},
    )
    cvr = StringField(
        _l("CVR number (optional)"),
        filters=[strip_spaces],
        validators=[Optional(), Regexp(CVR, message=_l("A CVR number has 8 digits."))],
        render_kw={"inputmode": "numeric"},
    )

    def values(self):
        from ..outreach.validation import e164_phone

        return {
            "name": self.name.data,
            "address": self.address.data or "",
            "contact_name": self.contact_name.data or "",
            "contact_phone": (e164_phone(self.contact_phone.data) if self.contact_phone.data else "") or "",
            "cvr": self.cvr.data or None,
        }


def face_field(aim):
    return RadioField(
        PROGRESS_AIMS[aim],
        choices=[SelectChoice(str(value), FACES[value]) for value in FACES],
        validate_choice=False,
        validators=[AnyOf([str(value) for value in FACES], message=_l("Let her choose a face."))],
    )


class ProgressForm(FlaskForm):
    asked_on = date_field(_l("Day"), not_in_the_future)
    work_identity = face_field("work_identity")
    society_norms = face_field("society_norms")
    workplace_expectations = face_field("workplace_expectations")
    health_barriers = face_field("health_barriers")

    def answers(self):
        return {aim: int(getattr(self, aim).data) for aim in PROGRESS_AIMS}


def cv_text(label, rows=3, hint=None):
    return TextAreaField(
        label,
        filters=[strip_spaces],
        validators=[Length(max=1000, message=AT_MOST), no_control_characters_but_lines],
        render_kw={"rows": rows, "maxlength": 1000},
        description=hint or "",
    )


class CvForm(FlaskForm):
    languages = cv_text(_l("Languages she speaks, and how well"))
    schooling = cv_text(_l("Schooling and education"))
    work_in_denmark = cv_text(_l("Work in Denmark"))
    work_abroad = cv_text(_l("Work outside Denmark"))
    skills = cv_text(_l("Skills"))
    wanted_work = cv_text(_l("The work she wants"))
    hours = StringField(
        _l("Hours a week she can work"),
        filters=[strip_spaces],
        validators=[Length(max=100, message=AT_MOST), no_control_characters],
    )
    travel = StringField(
        _l("How far she can travel"),
        filters=[strip_spaces],
        validators=[Length(max=100, message=AT_MOST), no_control_characters],
    )
    consent = BooleanField(_l("She agrees that this CV is shown to employers"))

    def values(self):
        return {name: getattr(self, name).data or "" for name in CV_FIELDS}
