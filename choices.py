"""The programme's fixed choices (activities, channels, subgroups, interests, availability), each key with its
name in the page's language."""

from flask_babel import lazy_gettext as _l

ACTIVITIES = {
    "cooking": _l("Cooking"),
    "light_exercise": _l("Light exercise"),
    "language_cafe": _l("Language café"),
    "job_club": _l("Job club"),
    "other": _l("Other activity"),
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
