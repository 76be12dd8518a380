"""The campaign form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from form_fields import CheckboxList, a_date, at_least_one, no_control_characters, strip_spaces
from i18n import LANGUAGE_NAMES


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
