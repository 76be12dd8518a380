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
# Her age when she signed up, as reports and her anonymous tally count it (db.py, m019_ways).
AGE_BANDS = {
    "under 25": _l("Under 25"),
    "25-34": "25–34",
    "35-44": "35–44",
    "45-54": "45–54",
    "55+": _l("55 and over"),
    "unknown": _l("Not known"),
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


# ---- Casework (blueprints/casework/) ----

# How the first call after a sign-up went.
CALL_OUTCOMES = {
    "reached": _l("Reached her"),
    "meeting_booked": _l("Meeting booked"),
    "no_answer": _l("No answer"),
    "not_interested": _l("Not interested now"),
    "wrong_number": _l("Wrong number"),
}
# Her benefit situation at enrolment.
BENEFITS = {
    "job_ready": _l("Cash benefit, job-ready"),
    "activity_ready": _l("Cash benefit, activity-ready"),
    "education_benefit": _l("Education benefit"),
    "spouse_supported": _l("Supported by her spouse"),
    "self_supporting": _l("Self-supporting"),
    "other": _l("Other"),
}
ACTION_PLANS = {
    "agreed": _l("Agreed"),
    "not_yet": _l("Not yet"),
    "not_relevant": _l("Not relevant"),
}
LEAVING_REASONS = {
    "ordinary_job": _l("Ordinary job"),
    "education": _l("Education"),
    "flex_job": _l("Flex job"),
    "resource_course": _l("Resource course"),
    "early_pension": _l("Early pension"),
    "moved": _l("Moved away"),
    "stopped": _l("Stopped"),
    "other": _l("Other"),
}
CONTACT_KINDS = {
    "meeting": _l("Meeting"),
    "phone": _l("Phone call"),
    "home_visit": _l("Home visit"),
    "group": _l("At a group"),
    "text": _l("Text message"),
    "other": _l("Other"),
}
# Where she is on her way (participants.stage).
STAGES = {
    "new": _l("To call"),
    "contacted": _l("Contacted"),
    "set_aside": _l("Set aside (no answer)"),
    "closed": _l("Closed"),
    "enrolled": _l("Enrolled"),
    "left": _l("Left the programme"),
}
# Her pathway's steps. Company-based: the steps in a company (they take a company from the list).
STEP_KINDS = {
    "danish_course": _l("Danish course"),
    "other_course": _l("Other course"),
    "company_visit": _l("Company visit"),
    "taster_internship": _l("Taster internship"),
    "internship": _l("Internship"),
    "wage_subsidy": _l("Wage-subsidy job"),
    "small_job": _l("Small job"),
    "ordinary_job": _l("Ordinary job"),
    "education": _l("Education"),
    "flex_job": _l("Flex job"),
    "resource_course": _l("Resource course"),
    "other": _l("Other"),
}
COMPANY_STEPS = (
    "company_visit",
    "taster_internship",
    "internship",
    "wage_subsidy",
    "small_job",
    "ordinary_job",
)
# An offer in a company, as the grant counts it ("at least 50 % take part in an offer in a company"): the
# company-based steps but a visit.
COMPANY_OFFERS = ("taster_internship", "internship", "wage_subsidy", "small_job", "ordinary_job")
# Why she left, when it is a result of its own rather than "left for other reasons".
LEFT_FOR_A_RESULT = ("ordinary_job", "education")
# What the programme's results count, each a number of women from the start to a day (reports/queries.py).
MEASURES = {
    "enrolled": _l("Enrolled"),
    "company_offer": _l("In an offer in a company"),
    "small_job": _l("In a small job"),
    "ordinary_job": _l("In an ordinary job"),
    "education": _l("In education"),
    "left_other": _l("Left for other reasons"),
}
# The programme's four aims (seed 002), asked of her in her language with five faces, sad (1) to happy (5).
PROGRESS_AIMS = {
    "work_identity": _l("Can you see yourself in a job?"),
    "society_norms": _l("Do you know how things are done in Danish society?"),
    "workplace_expectations": _l("Do you know what a workplace expects of you?"),
    "health_barriers": _l("Does your health let you work?"),
}
# The same aims as staff read them in her record.
PROGRESS_AIM_NAMES = {
    "work_identity": _l("Work identity"),
    "society_norms": _l("Danish society's norms"),
    "workplace_expectations": _l("What workplaces expect"),
    "health_barriers": _l("Health (her own sense)"),
}
FACES = {
    1: _l("Very sad face"),
    2: _l("Sad face"),
    3: _l("Neither sad nor happy face"),
    4: _l("Happy face"),
    5: _l("Very happy face"),
}
