"""Forms for managing staff accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, Regexp

from form_fields import no_control_characters, strip_spaces

from ..auth.accounts import ROLES
from ..auth.forms import new_password_field

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "coordinator": _l("Coordinator"),
    "job_consultant": _l("Job consultant"),
    "facilitator": _l("Facilitator"),
    "outreach": _l("Outreach worker"),
    "steering_group": _l("Steering group (numbers only)"),
}


class CreateUserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[strip_spaces],
        validators=[
            InputRequired(_l("Choose a username.")),
            Length(min=3, max=40, message=_l("A username has %(min)d to %(max)d characters.")),
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message=_l("Use only the letters a to z, digits, dot, hyphen and underscore."),
            ),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("Name shown to colleagues"),
        default="",
        filters=[strip_spaces],
        validators=[
            Length(max=80, message=_l("A name is at most %(max)d characters.")),
            no_control_characters,
        ],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validate_choice=False,
        validators=[AnyOf(ROLES, message=_l("Choose one of the roles."))],
    )
    password = new_password_field(_l("Password"))


class ResetPasswordForm(FlaskForm):
    """A new password for a colleague who forgot hers: given to her in private, her sessions end."""

    password = new_password_field(_l("New password"))


class ChangeRoleForm(FlaskForm):
    """Another role for a staff account."""

    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validate_choice=False,
        validators=[AnyOf(ROLES, message=_l("Choose one of the roles."))],
    )
