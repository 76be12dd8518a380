"""Her access export as she reads it: each table of `queries.EXPORTED_TABLES` with a heading and labelled
columns in her language, values turned into words where the app has words for them."""

import json

from flask import render_template
from flask_babel import lazy_gettext as _l

import clock
from choices import (
    ACTION_PLANS,
    AGE_BANDS,
    AVAILABILITY,
    BENEFITS,
    CALL_OUTCOMES,
    CHANNELS,
    CONTACT_KINDS,
    INTERESTS,
    LEAVING_REASONS,
    STAGES,
    STEP_KINDS,
    SUBGROUPS,
)
from i18n import LANGUAGE_NAMES, format_when

from .forms import WAY_LABELS

SECTIONS = [
    (
        "participants",
        _l("What we know about you"),
        [
            ("first_name", _l("First name")),
            ("phone", _l("Phone number")),
            ("language", _l("Language")),
            ("estate", _l("Housing estate")),
            ("year_of_birth", _l("Year of birth")),
            ("subgroup", _l("Group of women")),
            ("interests", _l("Interests")),
            ("availability", _l("When you can")),
            ("childcare", _l("Needs childcare")),
            ("channel", _l("How we met")),
            ("campaign", _l("Campaign")),
            ("stage", _l("Where you are in the programme")),
            ("registered_at", _l("Signed up")),
            ("withdrawn_at", _l("Consent withdrawn")),
            ("withdrawn_how", _l("How")),
            ("erase_after", _l("Erased on")),
            ("off_benefit_from", _l("Off public benefit from")),
            ("off_benefit_until", _l("Back on public benefit from")),
        ],
    ),
    (
        "consents",
        _l("Consents you gave"),
        [
            ("given_at", _l("Given")),
            ("withdrawn_at", _l("Withdrawn")),
            ("version", _l("Version of the text")),
            ("text_language", _l("Language of the text")),
            ("text", _l("Text")),
        ],
    ),
    (
        "signups",
        _l("Sign-ups"),
        [
            ("recorded_at", _l("When")),
            ("channel", _l("How we met")),
            ("campaign", _l("Campaign")),
            ("first_name", _l("First name given")),
            ("details", _l("What was written down")),
            ("staff", _l("Staff member")),
        ],
    ),
    (
        "enrolments",
        _l("Groups"),
        [
            ("group_name", _l("Group")),
            ("state", _l("Place")),
            ("joined_at", _l("Joined")),
            ("left_at", _l("Left")),
        ],
    ),
    ("group_role_models", _l("Groups you lead"), [("group_name", _l("Group"))]),
    (
        "group_offers",
        _l("Groups suggested for you"),
        [("group_name", _l("Group")), ("offered_at", _l("Suggested"))],
    ),
    (
        "attendance",
        _l("Meetings you came to"),
        [
            ("group_name", _l("Group")),
            ("starts_at", _l("Meeting")),
            ("checked_in_at", _l("Checked in")),
            ("method", _l("How")),
            ("staff", _l("Staff member")),
        ],
    ),
    (
        "checkin_items",
        _l("Check-ins sent by staff phones"),
        [
            ("received_at", _l("When")),
            ("status", _l("Answer")),
            ("starts_at", _l("Meeting")),
        ],
    ),
    (
        "texts_sent",
        _l("Text messages sent to you"),
        [
            ("sent_at", _l("When")),
            ("kind", _l("About")),
            ("starts_at", _l("Meeting")),
            ("delivered", _l("Delivered")),
        ],
    ),
    (
        "cards",
        _l("Your cards for check-in"),
        [
            ("issued_at", _l("Made")),
            ("replaced_at", _l("Stopped")),
            ("on_her_page", _l("On your own page")),
        ],
    ),
    (
        "personal_links",
        _l("Links to your own page"),
        [
            ("created_at", _l("Made")),
            ("first_used_at", _l("First opened")),
            ("revoked_at", _l("Stopped")),
        ],
    ),
    ("personal_devices", _l("Phones that opened your page"), [("created_at", _l("First opened"))]),
    (
        "calls",
        _l("Calls after you signed up"),
        [
            ("called_at", _l("When")),
            ("outcome", _l("How it went")),
            ("meeting_on", _l("Meeting")),
            ("staff", _l("Staff member")),
        ],
    ),
    (
        "visitations",
        _l("Your time in the programme"),
        [
            ("enrolled_on", _l("Enrolled")),
            ("coordinator", _l("Your coordinator")),
            ("benefit", _l("Benefit")),
            ("action_plan", _l("Family action plan")),
            ("action_plan_on", _l("Plan agreed")),
            ("planned_end_on", _l("Planned end")),
            ("left_on", _l("Left")),
            ("leaving_reason", _l("Why")),
        ],
    ),
    (
        "contacts",
        _l("Contacts with you"),
        [
            ("contacted_at", _l("When")),
            ("contact_kind", _l("How")),
            ("note", _l("Note")),
            ("staff", _l("Staff member")),
        ],
    ),
    (
        "steps",
        _l("Your steps towards work"),
        [
            ("step_kind", _l("Step")),
            ("company", _l("Company")),
            ("planned_start", _l("Planned start")),
            ("planned_end", _l("Planned end")),
            ("started_on", _l("Started")),
            ("ended_on", _l("Ended")),
            ("full_time", _l("Full-time")),
            ("hours_per_week", _l("Hours a week")),
        ],
    ),
    (
        "ways",
        _l("What the programme's reports count about you, without your name"),
        [
            ("age_band", _l("Age group when you signed up")),
            ("reached_on", _l("First met or talked")),
            ("first_enrolled_on", _l("First enrolled")),
            ("company_offer_on", _l("First offer in a company")),
            ("small_job_on", _l("First small job")),
            ("ordinary_job_on", _l("First ordinary job")),
            ("education_on", _l("Education from")),
        ],
    ),
    (
        "step_hours",
        _l("Hours worked per month"),
        [("step_kind", _l("Step")), ("month", _l("Month")), ("hours", _l("Hours"))],
    ),
    (
        "progress_answers",
        _l("Your own answers on the programme's aims (1 to 5)"),
        [
            ("asked_on", _l("When")),
            ("work_identity", _l("Seeing yourself at work")),
            ("society_norms", _l("Knowing Danish society's norms")),
            ("workplace_expectations", _l("Knowing what workplaces expect")),
            ("health_barriers", _l("Your health as a barrier")),
        ],
    ),
    (
        "cvs",
        _l("Your CV"),
        [
            ("languages", _l("Languages")),
            ("schooling", _l("Schooling")),
            ("work_in_denmark", _l("Work in Denmark")),
            ("work_abroad", _l("Work outside Denmark")),
            ("skills", _l("Skills")),
            ("wanted_work", _l("Work you want")),
            ("hours", _l("Hours")),
            ("travel", _l("How far you can travel")),
            ("consent_on", _l("You agreed to show it to employers")),
            ("updated_at", _l("Last changed")),
        ],
    ),
    (
        "audit_log",
        _l("Who on the staff looked at or changed your information"),
        [
            ("at", _l("When")),
            ("staff", _l("Staff member")),
            ("action", _l("What")),
        ],
    ),
]

DATES = {
    "registered_at",
    "withdrawn_at",
    "erase_after",
    "given_at",
    "recorded_at",
    "joined_at",
    "left_at",
    "starts_at",
    "checked_in_at",
    "received_at",
    "sent_at",
    "issued_at",
    "replaced_at",
    "created_at",
    "first_used_at",
    "revoked_at",
    "offered_at",
    "at",
    "called_at",
    "meeting_on",
    "enrolled_on",
    "action_plan_on",
    "planned_end_on",
    "left_on",
    "contacted_at",
    "planned_start",
    "planned_end",
    "started_on",
    "ended_on",
    "asked_on",
    "consent_on",
    "updated_at",
    "first_enrolled_on",
    "reached_on",
    "company_offer_on",
    "small_job_on",
    "ordinary_job_on",
    "education_on",
    "off_benefit_from",
    "off_benefit_until",
}
YES_NO = {"childcare", "delivered", "on_her_page", "full_time"}
STATES = {"active": _l("Enrolled"), "waitlist": _l("On the waitlist"), "left": _l("Left")}
KINDS = {
    "reminder": _l("Reminder"),
    "cancelled": _l("Cancelled meeting"),
    "moved": _l("Moved meeting"),
    "link": _l("Link to your page"),
}
METHODS = {"qr": _l("Card"), "manual": _l("By name"), "walk_in": _l("Came without a place")}
ACTIONS = {
    "participant.view": _l("Looked at your information"),
    "participant.export": _l("Made an overview of your information"),
    "participant.withdraw": _l("Recorded that you withdrew your consent"),
    "participant.withdraw_undo": _l("Took back a withdrawal recorded by mistake"),
    "link.create": _l("Made a link to your own page"),
    "link.send": _l("Sent you a link by text"),
    "link.revoke": _l("Stopped your link"),
    "card.create": _l("Made a card for you"),
    "group.enrol": _l("Put you in a group"),
    "group.leave": _l("Took you out of a group"),
    "attendance.correct": _l("Corrected who came to a meeting"),
    "call.record": _l("Recorded a call to you"),
    "participant.enrol": _l("Enrolled you in the programme"),
    "participant.leave": _l("Recorded that you left the programme"),
    "participant.take_on": _l("Became your coordinator"),
    "signup.join": _l("Added a sign-up to your information"),
    "signup.separate": _l("Registered you on your own"),
}


def readable(column, value):
    """A value as words: dates in her language, labels instead of codes, lists joined."""
    if value is None or value == "":
        return ""
    if column in DATES:
        return format_when(value, "day" if len(str(value)) == 10 else "datetime")
    if column in YES_NO:
        return _l("Yes") if value else _l("No")
    words = {
        "language": LANGUAGE_NAMES,
        "text_language": LANGUAGE_NAMES,
        "channel": CHANNELS,
        "subgroup": SUBGROUPS,
        "withdrawn_how": WAY_LABELS,
        "state": STATES,
        "kind": KINDS,
        "method": METHODS,
        "action": ACTIONS,
        "stage": STAGES,
        "outcome": CALL_OUTCOMES,
        "benefit": BENEFITS,
        "action_plan": ACTION_PLANS,
        "leaving_reason": LEAVING_REASONS,
        "contact_kind": CONTACT_KINDS,
        "step_kind": STEP_KINDS,
        "age_band": AGE_BANDS,
    }.get(column)
    if words is not None:
        return words.get(value, value)
    if column in ("interests", "availability"):
        labels = INTERESTS if column == "interests" else AVAILABILITY
        return ", ".join(str(labels.get(key, key)) for key in json.loads(value or "[]"))
    if column == "details":
        return "; ".join(
            f"{key}: {item}" for key, item in json.loads(value or "{}").items() if item not in ("", [], None)
        )
    return value


def document(participant_id, held):
    """Her export as JSON: what the programme holds, table by table, and when it was exported."""
    body = {"exported_at": clock.now_iso(), "participant_id": participant_id, "held": held}
    return json.dumps(body, ensure_ascii=False, indent=2)


def page(held):
    """Her export as a printable page in the request's language."""
    return render_template(
        "privacy/export.html", held=held, sections=SECTIONS, readable=readable, exported_at=clock.now()
    )
