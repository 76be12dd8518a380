"""The programme's fixed choices (activities, channels, subgroups, interests, availability), each key with its
name in the page's language."""

import json

from flask_babel import lazy_gettext as _l

ACTIVITIES = {
    "cooking": _l("Cooking"),
    "light_exercise": _l("Light exercise"),
    "language_cafe": _l("Language café"),
    "job_club": _l("Job club"),
    "other": _l("Other activity"),
}

# What to bring, and why a session is cancelled: phrases translated into every language, each with a
# pictogram (templates/_pictograms.html), so a woman reads them in hers. Staff may add free text beside them;
# texts (SMS) carry only the phrase.
BRING_PHRASES = {
    "apron": _l("An apron"),
    "comfortable_shoes": _l("Comfortable shoes"),
    "water_bottle": _l("A water bottle"),
    "shared_meal": _l("Something for a shared meal"),
    "nothing": _l("Nothing, just come"),
}
CANCEL_PHRASES = {
    "house_closed": _l("The meeting place is closed."),
    "leader_ill": _l("The group leader is ill."),
    "holiday": _l("Holiday."),
    "weather": _l("Bad weather."),
    "too_few": _l("Too few can come."),
}

CHANNELS = {
    "door_to_door": _l("Door-to-door"),
    "estate_staff": _l("Housing-estate staff"),
    "grocery_notice": _l("Notice in a grocery store"),
    "local_tv": _l("Local TV"),
    "mosque_association": _l("Mosque or association"),
    "womens_network": _l("Women's network"),
    "job_centre": _l("Job-centre referral"),
    "friend": _l("A friend"),
    "poster": _l("Poster (self sign-up)"),
}
SUBGROUPS = {
    "job_ready": _l("Job-ready, on benefit"),
    "activity_ready": _l("Activity-ready, on benefit"),
    "education_benefit": _l("Education benefit"),
    "spouse_supported": _l("Supported by her spouse"),
    "unknown": _l("Other / don't know"),
}
INTERESTS = {key: ACTIVITIES[key] for key in ("cooking", "light_exercise", "language_cafe", "job_club")}
INTERESTS["company_visits"] = _l("Company visits")
AVAILABILITY = {
    "morning": _l("Mornings"),
    "afternoon": _l("Afternoons"),
    "evening": _l("Evenings"),
    "weekend": _l("Weekends"),
}


def labelled(choices):
    """Return [{"key", "label"}] with the labels in the current language, for JSON."""
    return [{"key": key, "label": str(label)} for key, label in choices.items()]


def bring_words(phrase_keys_json, free_text):
    """What to bring in the current language, for a calendar: the phrases, then the free text as written."""
    keys = json.loads(phrase_keys_json or "[]")
    words = [str(BRING_PHRASES[key]) for key in keys if key in BRING_PHRASES]
    return ", ".join(words + ([free_text] if free_text else []))
