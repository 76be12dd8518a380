"""The programme's settings and its milestones."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError

import settings
from choices import MEASURES
from form_fields import (
    WholeNumberField,
    a_date,
    no_control_characters,
    no_control_characters_but_lines,
    setting_field,
    strip_spaces,
)


def text_setting(key, label):
    return StringField(
        label,
        filters=[strip_spaces],
        validators=[
            Length(max=settings.TEXTS[key], message=_l("At most %(max)d characters.")),
            no_control_characters,
        ],
    )


def day_field(label, required=False):
    first = InputRequired(_l("Write a date as year-month-day, e.g. 2026-03-01.")) if required else Optional()
    return StringField(label, filters=[strip_spaces], validators=[first, a_date], render_kw={"type": "date"})


# The business case's settings (settings.DEFAULTS), saved with the programme's.
BUSINESS_CASE_SETTINGS = ("monthly_public_cost", "price_per_woman", "pay_per_participant")
PAYMENT_MODELS = {
    "0": _l("For each woman in an ordinary job and off public benefit (payment by result)"),
    "1": _l("For each woman enrolled"),
}


class ProgrammeForm(FlaskForm):
    programme_name = text_setting("programme_name", _l("The programme's name"))
    funder = text_setting("funder", _l("Funder"))
    programme_starts_on = day_field(_l("First day of the programme"))
    programme_ends_on = day_field(_l("Last day of the programme"))
    monthly_public_cost = setting_field(
        "monthly_public_cost", _l("What a woman outside work costs the public a month (kr.)")
    )
    price_per_woman = setting_field("price_per_woman", _l("The price the municipality pays (kr.)"))
    pay_per_participant = RadioField(
        _l("The municipality pays"),
        choices=[SelectChoice(key, label) for key, label in PAYMENT_MODELS.items()],
        coerce=int,
        validate_choice=False,
        validators=[AnyOf([0, 1], message=_l("Choose how the municipality pays."))],
    )

    def validate_programme_ends_on(self, field):
        starts = getattr(self.programme_starts_on, "parsed", None)
        ends = getattr(field, "parsed", None)
        if starts and ends and ends < starts:
            raise ValidationError(_l("The last day is before the first."))


class MilestoneForm(FlaskForm):
    due_on = day_field(_l("By"), required=True)
    measure = SelectField(
        _l("Measure"),
        choices=[SelectChoice(key, label) for key, label in MEASURES.items()],
        validate_choice=False,
        validators=[AnyOf(list(MEASURES), message=_l("Choose one of the measures."))],
    )
    target = WholeNumberField(
        _l("Target"),
        validators=[
            InputRequired(_l("Write a whole number.")),
            NumberRange(0, 100_000, message=_l("Between %(min)s and %(max)s.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0},
    )
    share = BooleanField(_l("The target is a share (%) of the women enrolled"))

    def validate_target(self, field):
        if self.share.data and field.data is not None and field.data > 100:
            raise ValidationError(_l("A share is at most 100 %."))


def report_text(label):
    return TextAreaField(
        label,
        filters=[strip_spaces],
        validators=[
            Length(max=REPORT_TEXT_LENGTH, message=_l("At most %(max)d characters.")),
            no_control_characters_but_lines,
        ],
        render_kw={"rows": 8, "maxlength": REPORT_TEXT_LENGTH},
    )


REPORT_TEXT_LENGTH = 10_000


class ReportTextsForm(FlaskForm):
    """What the project lead writes in a report: about the programme, never about one woman."""

    activities = report_text(_l("What we did, in our own words"))
    learning = report_text(_l("Experience and learning"))
