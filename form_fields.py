"""Form fields, filters and validators shared by the staff forms of several areas (admin, outreach, groups)."""

import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, widgets
from wtforms.validators import ValidationError


def strip_spaces(value):
    """Filter: drop the spaces around what was typed."""
    return value.strip() if isinstance(value, str) else value


def no_control_characters(form, field):
    """Validator: refuse invisible control characters (pasted text can carry them)."""
    if field.data and any(unicodedata.category(c) in ("Cc", "Cf") for c in field.data):
        raise ValidationError(_l("Remove the invisible control characters."))


def a_date(form, field):
    """Validator: a date as year-month-day; keeps it in `field.parsed`."""
    try:
        field.parsed = date.fromisoformat(field.data or "")
    except ValueError:
        raise ValidationError(_l("Write a date as year-month-day, e.g. 2026-03-01.")) from None


def at_least_one(form, field):
    """Validator: at least one box ticked."""
    if not field.data:
        raise ValidationError(_l("Choose at least one."))


class CheckboxList(SelectMultipleField):
    """A list of checkboxes that accepts only the options shown."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        if not set(self.data or []) <= {choice.value for choice in self.choices}:
            raise ValidationError(_l("Choose among the options shown."))
