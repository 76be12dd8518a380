"""What a person typed, as several areas read it: WTForms fields, filters and validators shared by the staff
forms (admin, outreach, groups), and plain readers of the values in an outbox item's data (outreach, checkin)."""

import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, widgets
from wtforms.validators import InputRequired, NumberRange, ValidationError

import settings


class WholeNumberField(IntegerField):
    """A whole number whose "not a number" message is ours, translated (WTForms' own is English only);
    what was typed stays in the field."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Write a whole number.")) from None


def strip_spaces(value):
    """Filter: drop the spaces around what was typed."""
    return value.strip() if isinstance(value, str) else value


# Invisible characters that belong in names: Persian, Urdu and Kurdish keyboards type the zero-width
# non-joiner and joiner inside words, and Arabic text may carry the Arabic letter mark.
JOINERS = {"\u200c", "\u200d", "\u061c"}


def has_control_characters(text):
    """True when the text holds invisible control or format characters other than the joiners above
    (bidi overrides and isolates, which can disguise a name on screen, stay refused)."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs") and c not in JOINERS for c in text or "")


def no_control_characters(form, field):
    """Validator: refuse invisible control characters (pasted text can carry them)."""
    if field.data and has_control_characters(field.data):
        raise ValidationError(_l("Remove the invisible control characters."))


def has_control_characters_but_lines(text):
    """has_control_characters, for text of several lines: new lines and tabs are what she typed."""
    return has_control_characters((text or "").replace("\r", "").replace("\n", "").replace("\t", ""))


def no_control_characters_but_lines(form, field):
    """Validator for a text area: refuse invisible control characters, keep new lines."""
    if field.data and has_control_characters_but_lines(field.data):
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


# ---- Values in an outbox item's data (JSON from a phone, or a form read into the same shape) ----

TRUE_WORDS = {"1", "true", "on", "yes"}
FALSE_WORDS = {"", "0", "false", "off", "no"}


def as_text(value):
    """Return a value as stripped text (numbers too), or None."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def as_id(value):
    """Return a value as a positive record id, or None."""
    text = as_text(value)
    if text and text.isascii() and text.isdigit() and len(text) < 19:
        return int(text)
    return None


def as_list(value):
    """Return a value as a list of texts (one text becomes a list), or None."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def as_flag(value):
    """Return a value as True or False (yes/no words too), or None."""
    if isinstance(value, bool):
        return value
    text = as_text(value)
    if text is not None and text.lower() in TRUE_WORDS | FALSE_WORDS:
        return text.lower() in TRUE_WORDS
    return None


def setting_field(key, label):
    _default, smallest, largest = settings.DEFAULTS[key]
    return WholeNumberField(
        label,
        validators=[
            InputRequired(_l("Write a whole number.")),
            NumberRange(smallest, largest, message=_l("Between %(min)s and %(max)s.")),
        ],
        render_kw={"inputmode": "numeric", "min": smallest, "max": largest},
    )
