"""The rules of a sign-up, shared by the form and the outbox: clean data or errors per field."""

import phonenumbers
from flask_babel import gettext as _

import clock
from choices import AVAILABILITY, CHANNELS, INTERESTS, SUBGROUPS
from form_fields import as_flag, as_id, as_list, as_text, has_control_characters
from i18n import LANGUAGES

from ..participants.cards import CARD_CODE, card_hash, typed_card_code
from . import queries

MAX_FIRST_NAME = 60
OLDEST_YEAR = 1920
YOUNGEST_AGE = 16


def e164_phone(text):
    """Return the number as E.164 (+4520123456), Danish when written without a country code; else None."""
    try:
        number = phonenumbers.parse(text, "DK")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_signup(db, data):
    """Check a sign-up; return (clean data, {}) or (None, {field: message in the user's language})."""
    if not isinstance(data, dict):
        return None, {"data": _("The sign-up is empty or damaged. Fill in the form again.")}
    errors, clean = {}, {}
    checks = (
        check_first_name,
        check_phone,
        check_language,
        check_estate,
        check_year_of_birth,
        check_subgroup,
        check_interests,
        check_availability,
        check_childcare,
        check_channel,
        check_campaign,
        check_consent,
        check_card,
    )
    for check in checks:
        check(db, data, clean, errors)
    return (None, errors) if errors else (clean, {})


def check_first_name(db, data, clean, errors):
    """Check her first name."""
    name = as_text(data.get("first_name"))
    if not name:
        errors["first_name"] = _("Write the first name.")
    elif len(name) > MAX_FIRST_NAME:
        errors["first_name"] = _("A first name is at most %(max)d characters.", max=MAX_FIRST_NAME)
    elif has_control_characters(name):
        errors["first_name"] = _("Remove the invisible control characters.")
    elif not any(character.isalpha() for character in name):
        errors["first_name"] = _("Write the first name.")
    else:
        clean["first_name"] = name


def check_phone(db, data, clean, errors):
    """Check her phone number; keep it as E.164."""
    text = as_text(data.get("phone"))
    if not text:
        errors["phone"] = _("Write the phone number.")
    elif len(text) > 30 or (phone := e164_phone(text)) is None:
        errors["phone"] = _(
            "This is not a phone number we can use: a Danish number has 8 digits, "
            "others start with + and the country code."
        )
    else:
        clean["phone"] = phone


def check_language(db, data, clean, errors):
    """Check her language."""
    language = as_text(data.get("language"))
    if language not in LANGUAGES:
        errors["language"] = _("Choose the language.")
    else:
        clean["language"] = language


def check_estate(db, data, clean, errors):
    """Check her housing estate."""
    estate_id = as_id(data.get("estate_id"))
    if estate_id is None or not queries.estate_exists(db, estate_id):
        errors["estate_id"] = _("Choose the housing estate.")
    else:
        clean["estate_id"] = estate_id


def check_year_of_birth(db, data, clean, errors):
    """Check her year of birth (optional)."""
    value = data.get("year_of_birth")
    if value in (None, ""):
        clean["year_of_birth"] = None
        return
    year, last = as_id(value), clock.today().year - YOUNGEST_AGE
    if year is None or not OLDEST_YEAR <= year <= last:
        errors["year_of_birth"] = _(
            "Write a year between %(first)d and %(last)d, or leave it empty.", first=OLDEST_YEAR, last=last
        )
    else:
        clean["year_of_birth"] = year


def check_subgroup(db, data, clean, errors):
    """Check her benefit situation."""
    subgroup = as_text(data.get("subgroup"))
    if subgroup not in SUBGROUPS:
        errors["subgroup"] = _("Choose one of the options (or “Other / don't know”).")
    else:
        clean["subgroup"] = subgroup


def check_choices(field, choices, data, clean, errors):
    """Check a list of choices against the keys allowed."""
    values = as_list(data.get(field))
    if values is None or not set(values) <= set(choices):
        errors[field] = _("Choose among the options shown.")
    else:
        clean[field] = [key for key in choices if key in values]


def check_interests(db, data, clean, errors):
    """Check her interests."""
    check_choices("interests", INTERESTS, data, clean, errors)


def check_availability(db, data, clean, errors):
    """Check when she is available."""
    check_choices("availability", AVAILABILITY, data, clean, errors)


def check_childcare(db, data, clean, errors):
    """Check whether she needs childcare."""
    flag = as_flag(data.get("childcare", False))
    if flag is None:
        errors["childcare"] = _("Answer yes or no.")
    else:
        clean["childcare"] = flag


def check_channel(db, data, clean, errors):
    """Check how she was reached."""
    channel = as_text(data.get("channel"))
    if channel not in CHANNELS:
        errors["channel"] = _("Choose how she heard of us.")
    else:
        clean["channel"] = channel


def check_campaign(db, data, clean, errors):
    """Check the campaign (optional)."""
    value = data.get("campaign_id")
    if value in (None, ""):
        clean["campaign_id"] = None
        return
    campaign_id = as_id(value)
    if campaign_id is None or not queries.campaign_exists(db, campaign_id):
        errors["campaign_id"] = _("Choose a campaign from the list, or none.")
    else:
        clean["campaign_id"] = campaign_id


def check_consent(db, data, clean, errors):
    """Check the consent text she was shown; record its language."""
    text = queries.consent_text(db, as_id(data.get("consent_text_id")))
    if text is None:
        errors["consent_text_id"] = _("The consent text must be accepted before the sign-up can be saved.")
    else:
        clean["consent_text_id"], clean["consent_language"] = text["id"], text["language"]


def check_card(db, data, clean, errors):
    """Check the QR card given at sign-up (optional); keep only its hash."""
    code = typed_card_code(as_text(data.get("card_code")) or "")
    if not code:
        clean["card_hash"] = None
    elif not CARD_CODE.match(code):
        errors["card_code"] = _("This card code cannot be read. Scan the card again.")
    else:
        clean["card_hash"] = card_hash(code)
