"""Forms of the data-protection area: her withdrawal of consent, erasure, retention settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, ValidationError

import clock
from form_fields import a_date, setting_field, strip_spaces

from .erasure import WITHDRAWAL_WAYS

WAY_LABELS = {
    "in_person": _l("She said it in person"),
    "phone": _l("On the phone"),
    "text": _l("In a text message"),
    "in_writing": _l("In writing (letter or e-mail)"),
    "other": _l("Another way"),
}


def not_in_the_future(form, field):
    if getattr(field, "parsed", None) and field.parsed > clock.today():
        raise ValidationError(_l("The day cannot be in the future."))


class WithdrawalForm(FlaskForm):
    withdrawn_on = StringField(
        _l("Day she withdrew her consent"),
        filters=[strip_spaces],
        validators=[InputRequired(_l("Write the day.")), a_date, not_in_the_future],
        render_kw={"type": "date"},
    )
    how = SelectField(
        _l("How she said it"),
        choices=[SelectChoice("", _l("Choose…"))]
        + [SelectChoice(way, WAY_LABELS[way]) for way in WITHDRAWAL_WAYS],
        validate_choice=False,
        validators=[AnyOf(WITHDRAWAL_WAYS, message=_l("Choose how she said it."))],
    )
    erase_now = BooleanField(_l("Erase her data now, without the grace period"))


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that everything about her is erased and cannot be brought back"),
        validators=[InputRequired(_l("Tick the box to confirm."))],
    )


class RetentionForm(FlaskForm):
    erasure_grace_days = setting_field(
        "erasure_grace_days", _l("Days between her withdrawal and the erasure of her data")
    )
    never_joined_months = setting_field(
        "never_joined_months", _l("Months after which a woman who never joined a group is erased")
    )
    set_aside_months = setting_field(
        "set_aside_months",
        _l("Months after the last call when a woman set aside or closed, and never enrolled, is erased"),
    )
    audit_years = setting_field("audit_years", _l("Years the log of who looked at what is kept"))
    left_after_end_months = setting_field(
        "left_after_end_months",
        _l("Months after the programme's last day when the women who left are erased"),
    )
    call_tries = setting_field("call_tries", _l("Calls without an answer before a new sign-up is set aside"))
    caseload_limit = setting_field(
        "caseload_limit", _l("Women a coordinator can follow closely (the caseload warns above it)")
    )
    coordinators_share = BooleanField(
        _l("The coordinators work as a team: each sees every woman, not only her own and the new sign-ups")
    )
