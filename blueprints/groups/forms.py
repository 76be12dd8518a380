"""Forms for groups and their sessions; every message is translated and nothing typed is lost."""

from datetime import time, timedelta

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

import clock
from choices import ACTIVITIES, BRING_PHRASES, CANCEL_PHRASES
from form_fields import CheckboxList, a_date, at_least_one, no_control_characters, strip_spaces
from i18n import LANGUAGE_NAMES

from .schedule import LONGEST, Schedule, weekday_names

MAX_CAPACITY = 200
EVERY_WEEKS = {
    "1": _l("Every week"),
    "2": _l("Every second week"),
    "3": _l("Every third week"),
    "4": _l("Every fourth week"),
}


def a_time(form, field):
    """Validator: a time as hours:minutes; keeps it in `field.parsed`."""
    try:
        field.parsed = time.fromisoformat(field.data or "")
    except ValueError:
        raise ValidationError(_l("Write a time as hours:minutes, e.g. 10:00.")) from None
    if field.parsed.second or field.parsed.microsecond or field.parsed.tzinfo:
        raise ValidationError(_l("Write a time as hours:minutes, e.g. 10:00."))


def a_capacity(form, field):
    """Validator: a number of places from 1 to MAX_CAPACITY; keeps it in `field.parsed`."""
    try:
        field.parsed = int(field.data or "")
    except ValueError:
        raise ValidationError(_l("Write the number of places, e.g. 12.")) from None
    if not 1 <= field.parsed <= MAX_CAPACITY:
        raise ValidationError(_l("A group has from 1 to %(max)d places.", max=MAX_CAPACITY))


def short_text(label, maximum, required_message=None):
    # DataRequired, not InputRequired: it looks after strip_spaces, so "   " is no name.
    """A text field of at most `max_length` characters, without control characters."""
    validators = [DataRequired(required_message)] if required_message else [Optional()]
    validators += [Length(max=maximum, message=_l("At most %(max)d characters.")), no_control_characters]
    return StringField(label, filters=[strip_spaces], validators=validators)


def bring_phrases_field(label):
    """What to bring, from phrases every woman reads in her own language (with a pictogram)."""
    return CheckboxList(label, choices=[SelectChoice(key, text) for key, text in BRING_PHRASES.items()])


class GroupForm(FlaskForm):
    name = short_text(_l("Name of the group"), 80, _l("Give the group a name."))
    activity = SelectField(
        _l("Activity"),
        choices=[SelectChoice(key, label) for key, label in ACTIVITIES.items()],
        default="cooking",
    )
    estate_id = SelectField(_l("Housing estate"), coerce=str)
    place = short_text(_l("Meeting place"), 120, _l("Write where the group meets."))
    bring_phrases = bring_phrases_field(_l("What to bring"))
    bring = short_text(_l("Something else to bring (optional)"), 200)
    languages = CheckboxList(
        _l("Languages spoken"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        validators=[at_least_one],
    )
    capacity = StringField(
        _l("Places"), validators=[a_capacity], default="12", render_kw={"inputmode": "numeric"}
    )
    weekdays = CheckboxList(_l("Weekdays"), coerce=str, validators=[at_least_one])
    every_weeks = SelectField(
        _l("How often"), choices=[SelectChoice(key, label) for key, label in EVERY_WEEKS.items()], default="1"
    )
    start_time = StringField(_l("From"), validators=[a_time], default="10:00", render_kw={"type": "time"})
    end_time = StringField(_l("To"), validators=[a_time], default="12:00", render_kw={"type": "time"})
    first_day = StringField(_l("First day"), validators=[a_date], render_kw={"type": "date"})
    last_day = StringField(_l("Last day"), validators=[a_date], render_kw={"type": "date"})
    facilitators = CheckboxList(_l("Facilitators (staff)"), coerce=str)
    role_models = CheckboxList(_l("Facilitators among the women (role models)"), coerce=str)

    def __init__(self, *args, estates=(), staff=(), members=(), enrolled=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolled = enrolled
        self.estate_id.choices = [SelectChoice("", _l("No particular estate"))] + [
            SelectChoice(str(row["id"]), row["name"]) for row in estates
        ]
        names = weekday_names(get_locale())
        self.weekdays.choices = [SelectChoice(str(index), names[index]) for index in range(7)]
        self.facilitators.choices = [
            SelectChoice(str(row["id"]), row["display_name"] or row["username"]) for row in staff
        ]
        self.role_models.choices = [SelectChoice(str(row["id"]), row["first_name"]) for row in members]
        if not self.first_day.data:
            self.first_day.data = clock.today().isoformat()
        if not self.last_day.data:
            self.last_day.data = (clock.today() + timedelta(weeks=26)).isoformat()

    def validate_capacity(self, field):
        if getattr(field, "parsed", None) is not None and field.parsed < self.enrolled:
            raise ValidationError(
                _l(
                    "%(num)d women are enrolled: keep at least %(num)d places, or take women out first.",
                    num=self.enrolled,
                )
            )

    def validate_end_time(self, field):
        start = getattr(self.start_time, "parsed", None)
        if start and getattr(field, "parsed", None) and field.parsed <= start:
            raise ValidationError(_l("The session ends before it starts."))

    def validate_first_day(self, field):
        parsed = getattr(field, "parsed", None)
        if parsed and abs((parsed - clock.today()).days) > LONGEST:
            raise ValidationError(_l("Choose a day within two years from today."))

    def validate_last_day(self, field):
        first = getattr(self.first_day, "parsed", None)
        last = getattr(field, "parsed", None)
        if not (first and last):
            return
        if last < first:
            raise ValidationError(_l("The last day comes before the first day."))
        if (last - first).days > LONGEST:
            raise ValidationError(_l("A schedule covers at most two years."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and not self.schedule().days():
            self.weekdays.errors.append(
                _l("None of these weekdays falls between the first and the last day.")
            )
            return False
        return valid

    def schedule(self):
        return Schedule(
            self.first_day.parsed,
            self.last_day.parsed,
            tuple(sorted(int(day) for day in self.weekdays.data)),
            self.start_time.parsed,
            self.end_time.parsed,
            int(self.every_weeks.data),
        )

    def fields(self):
        return {
            "name": self.name.data,
            "activity": self.activity.data,
            "estate_id": int(self.estate_id.data) if self.estate_id.data else None,
            "place": self.place.data,
            "bring": self.bring.data or "",
            "bring_phrases": self.bring_phrases.data or [],
            "languages": self.languages.data,
            "capacity": self.capacity.parsed,
        }

    def fill_from(self, group, facilitator_ids, role_model_ids):
        """Show a stored group in the form."""
        import json

        self.name.data = group["name"]
        self.activity.data = group["activity"]
        self.estate_id.data = str(group["estate_id"] or "")
        self.place.data = group["place"]
        self.bring.data = group["bring"]
        self.bring_phrases.data = json.loads(group["bring_phrases"])
        self.languages.data = json.loads(group["languages"])
        self.capacity.data = str(group["capacity"])
        self.weekdays.data = [str(day) for day in json.loads(group["weekdays"])]
        self.every_weeks.data = str(group["every_weeks"])
        self.start_time.data = group["start_time"] or "10:00"
        self.end_time.data = group["end_time"] or "12:00"
        self.first_day.data = group["first_day"] or self.first_day.data
        self.last_day.data = group["last_day"] or self.last_day.data
        self.facilitators.data = [str(user_id) for user_id in facilitator_ids]
        self.role_models.data = [str(participant_id) for participant_id in role_model_ids]


def notify_field():
    """The choice of telling the women by text or only on their page."""
    return SelectField(
        _l("Tell the women"),
        choices=[
            SelectChoice("sms", _l("Send a text to each enrolled woman")),
            SelectChoice("page", _l("Only on their page")),
        ],
        default="sms",
    )


class SessionTimeForm(FlaskForm):
    """Move a session, or add one outside the schedule."""

    day = StringField(_l("Day"), validators=[a_date], render_kw={"type": "date"})
    start_time = StringField(_l("From"), validators=[a_time], render_kw={"type": "time"})
    end_time = StringField(_l("To"), validators=[a_time], render_kw={"type": "time"})
    place = short_text(_l("Place, if not the usual one"), 120)
    topic = short_text(_l("Topic (optional)"), 120)
    notify = notify_field()

    validate_end_time = GroupForm.validate_end_time

    def validate_day(self, field):
        parsed = getattr(field, "parsed", None)
        if parsed and abs((parsed - clock.today()).days) > LONGEST:
            raise ValidationError(_l("Choose a day within two years from today."))


OTHER_REASON = "other"


class CancelForm(FlaskForm):
    """Why: a phrase she reads in her language (and the only words a text carries); free text may add to it."""

    phrase = RadioField(
        _l("Reason, shown to the women"),
        choices=[SelectChoice(key, text) for key, text in CANCEL_PHRASES.items()]
        + [SelectChoice(OTHER_REASON, _l("Another reason (written below)"))],
        validate_choice=False,
    )
    reason = TextAreaField(
        _l("In your own words (optional)"),
        filters=[strip_spaces],
        validators=[
            Optional(),
            Length(max=200, message=_l("At most %(max)d characters.")),
            no_control_characters,
        ],
    )
    notify = notify_field()

    def validate_phrase(self, field):
        if field.data not in CANCEL_PHRASES and field.data != OTHER_REASON:
            raise ValidationError(_l("Choose a reason."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Here, not as an inline validator: Optional() ends the reason's checks when it is empty.
        if self.phrase.data == OTHER_REASON and not self.reason.data:
            self.reason.errors = [*self.reason.errors, _l("Write the reason in a few words.")]
            return False
        return valid

    def cancel_phrase(self):
        """The phrase to keep: "" for another reason."""
        return self.phrase.data if self.phrase.data in CANCEL_PHRASES else ""


class TopicForm(FlaskForm):
    topic = short_text(_l("Topic (optional)"), 120)
    bring_phrases = bring_phrases_field(_l("What to bring this time"))
    bring = TextAreaField(
        _l("Something else to bring this time (optional)"),
        filters=[strip_spaces],
        validators=[
            Optional(),
            Length(max=200, message=_l("At most %(max)d characters.")),
            no_control_characters,
        ],
    )
