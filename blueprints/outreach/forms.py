"""The campaign form."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, ValidationError

from i18n import LANGUAGE_NAMES

from ..admin.forms import no_control_characters
from ..auth.forms import strip_spaces


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        if not set(self.data or []) <= {choice.value for choice in self.choices}:
            raise ValidationError(_l("Choose among the options shown."))


def a_date(form, field):
    try:
        field.parsed = date.fromisoformat(field.data or "")
    except ValueError:
        raise ValidationError(_l("Write a date as year-month-day, e.g. 2026-03-01.")) from None


def at_least_one(form, field):
    if not field.data:
        raise ValidationError(_l("Choose at least one."))


class CampaignForm(FlaskForm):
    name = StringField(
        _l("Name of the campaign"),
        filters=[strip_spaces],
        validators=[
            DataRequired(_l("Give the campaign a name.")),
            Length(max=100, message=_l("A name is at most %(max)d characters.")),
            no_control_characters,
        ],
    )
    starts_on = StringField(_l("First day"), validators=[a_date], render_kw={"type": "date"})
    ends_on = StringField(_l("Last day"), validators=[a_date], render_kw={"type": "date"})
    estates = CheckboxList(_l("Housing estates"), coerce=str, validators=[at_least_one])
    languages = CheckboxList(
        _l("Languages it runs in"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        validators=[at_least_one],
    )

    def validate_ends_on(self, field):
        starts = getattr(self.starts_on, "parsed", None)
        if starts and getattr(field, "parsed", None) and field.parsed < starts:
            raise ValidationError(_l("The last day comes before the first day."))
