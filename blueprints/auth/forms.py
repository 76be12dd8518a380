"""Login and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from form_fields import strip_spaces

from .accounts import MIN_PASSWORD_LENGTH, refused_password_reason

MAX_PASSWORD_LENGTH = 200


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[strip_spaces],
        validators=[
            InputRequired(_l("Enter your username.")),
            Length(max=40, message=_l("A username is at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=MAX_PASSWORD_LENGTH, message=_l("A password is at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


def not_easy_to_guess(form, field):
    """Refuse common and guessable passwords, and any containing the username: the form's own username
    field, or the `password_owner` the view sets (a change or a reset of someone's password)."""
    owner = getattr(form, "password_owner", None)
    if owner is None and "username" in form:
        owner = form.username.data
    if len(field.data or "") >= MIN_PASSWORD_LENGTH and (
        reason := refused_password_reason(field.data, owner or "")
    ):
        raise ValidationError(reason)


def new_password_field(label):
    """A password field for a new password, with the length rules; guessable passwords are refused."""
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Enter a new password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("A password has %(min)d to %(max)d characters."),
            ),
            not_easy_to_guess,
        ],
        render_kw={"autocomplete": "new-password"},
    )


def code_field(label, **render_kw):
    """A field for a code from her authenticator app (or a recovery code), typed left to right."""
    return StringField(
        label,
        filters=[strip_spaces],
        validators=[
            InputRequired(_l("Enter the code from your app.")),
            Length(max=40, message=_l("A code is at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "dir": "ltr", **render_kw},
    )


class CodeForm(FlaskForm):
    """The second step of a login: the code from her app, or one of her recovery codes (letters too)."""

    code = code_field(_l("Code"), autocapitalize="none")


class SetUpCodeForm(FlaskForm):
    """Confirms the app is set up: the first code it shows."""

    code = code_field(_l("The 6-digit code your app shows"), inputmode="numeric")
    # Asked for when she is logged in already (not half-way through a login): someone at her unlocked
    # computer must not put his own phone on her account.
    password = PasswordField(_l("Your password"), render_kw={"autocomplete": "current-password"})


class ConfirmPasswordForm(FlaskForm):
    """Her password again, before a change to her second factor."""

    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field(_l("New password"))
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Enter the new password again.")),
            EqualTo("new_password", message=_l("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_new_password(self, field):
        if field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password other than the current one."))
