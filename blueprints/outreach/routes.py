import json
import uuid
from datetime import timedelta

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadData
from wtforms import SelectChoice
from wtforms.validators import ValidationError

import access
import audit
import clock
import keys
from access import CASEWORK_ROLES, staff_required
from addresses import external_url, public_host
from choices import ACTIVITIES, AVAILABILITY, CHANNELS, INTERESTS, SUBGROUPS
from db import get_db, transaction
from i18n import current_language, text_direction
from outbox import process_items
from qr import qr_svg
from tokens import printed_short_code

from ..auth.accounts import allow_attempt
from ..pwa.offline import offline_page
from . import bp, queries
from .forms import CampaignForm

LIST_FIELDS = ("interests", "availability")
SIGNUP_FIELDS = (
    "first_name",
    "phone",
    "estate_id",
    "year_of_birth",
    "subgroup",
    "childcare",
    "channel",
    "campaign_id",
    "consent_text_id",
    "card_code",
)
SELF_SIGNUP_FIELDS = ("first_name", "phone", "estate_id", "year_of_birth", "childcare", "consent_text_id")


def form_data(form, fields=SIGNUP_FIELDS):
    """Read the posted form into the same shape as an outbox item's data (known fields only)."""
    data = {key: form.get(key, "") for key in fields}
    for key in LIST_FIELDS:
        data[key] = form.getlist(key)
    data["childcare"] = form.get("childcare", "0")
    data["language"] = current_language()
    return data


def new_form_identity():
    """An id and a time for a form when it is opened: sending it twice is then a duplicate."""
    return {"signup_id": str(uuid.uuid4()), "recorded_at": clock.now_iso()}


def store_form(data, signup_id, recorded_at, user_id):
    """Send a form's sign-up through the outbox rules; return (stored, errors)."""
    item = {"id": signup_id, "kind": "signup", "recorded_at": recorded_at, "data": data}
    (answer,) = process_items(get_db(), [item], user_id)
    if answer["status"] in ("ok", "duplicate"):
        return answer, {}
    if answer["status"] == "conflict":
        return None, {
            "form": _("This form was already used for another sign-up. Check the fields and send it again.")
        }
    return None, answer["errors"] or {"form": _("This sign-up cannot be saved.")}


def render_signup(data=None, errors=None, status=200):
    """The sign-up form, with what was typed and its errors."""
    db = get_db()
    campaigns = queries.current_campaigns(db)
    data = data or {
        **new_form_identity(),
        "channel": "door_to_door",
        "childcare": "0",
        "subgroup": "unknown",
        # The campaign running now (the newest, if several): she is out because of it.
        "campaign_id": campaigns[0]["id"] if campaigns else "",
    }
    context = {
        "data": data,
        "errors": errors or {},
        "estates": queries.estates(db),
        "campaigns": campaigns,
        "consent": queries.current_consent_texts(db).get(current_language()),
        "channels": CHANNELS,
        "subgroups": SUBGROUPS,
        "interests": INTERESTS,
        "availability": AVAILABILITY,
    }
    return render_template("outreach/signup.html", **context), status


@bp.route("/signup", methods=["GET"])
@staff_required()
@offline_page
def signup():
    """Show the sign-up form; it works offline, where the outbox keeps what is saved."""
    g.language_of_someone_else = True  # the form is in her language, the worker keeps her own
    return render_signup()


@bp.route("/signup", methods=["POST"])
@staff_required()
def signup_post():
    """Register a woman from the form without JavaScript, through the same rules as the outbox."""
    data = form_data(request.form)
    identity = {key: request.form.get(key, "") for key in ("signup_id", "recorded_at")}
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        errors = {"form": _("This form has expired. Send it again.")}
        return render_signup({**data, **identity}, errors, 400)
    answer, errors = store_form(data, identity["signup_id"], identity["recorded_at"], g.user["id"])
    if errors:
        if "id" in errors or "recorded_at" in errors or "form" in errors:
            identity = new_form_identity()  # a damaged or used form: the next send is a new sign-up
        return render_signup({**data, **identity}, errors, 400)
    if answer["status"] == "duplicate":
        flash(_("This sign-up was already saved."), "success")
    elif answer["reason"] == "merged" and access.may_learn_who_signed_up(g.user):
        flash(
            _("She was already registered with this phone number: the sign-up is added to her record."),
            "success",
        )
    else:
        flash(_("Saved. She is registered."), "success")
    return redirect(url_for("outreach.signup"))


# ---- Campaigns and posters (coordinator) ----------------------------------------


def campaign_form():
    """The campaign form with the estates to choose from."""
    form = CampaignForm()
    form.estates.choices = [SelectChoice(str(row["id"]), row["name"]) for row in queries.estates(get_db())]
    return form


@bp.route("/campaigns", methods=["GET", "POST"])
@staff_required("coordinator", "admin")
def campaigns():
    """List campaigns with their sign-ups, and start a new one."""
    form = campaign_form()
    if form.validate_on_submit():
        db = get_db()
        with transaction(db):
            campaign_id = queries.create_campaign(
                db,
                form.name.data,
                form.starts_on.data,
                form.ends_on.data,
                [int(value) for value in form.estates.data],
                form.languages.data,
                g.user["id"],
                CHANNELS,
            )
        flash(_("The campaign is created. Print its posters below."), "success")
        return redirect(url_for("outreach.campaign", campaign_id=campaign_id))
    status = 400 if form.is_submitted() else 200
    db = get_db()
    context = {
        "form": form,
        "campaigns": queries.all_campaigns(db),
        "merged": queries.merged_signups(db, g.user),
        "awaiting": queries.awaiting_signups(db, g.user),
        "capped": queries.capped_campaigns(db),
        "self_signups_per_hour": SELF_SIGNUPS_PER_CAMPAIGN_HOUR,
    }
    return render_template("outreach/campaigns.html", **context), status


def awaiting_or_404(signup_id):
    """A sign-up waiting for a coordinator, about a woman this coordinator follows."""
    db = get_db()
    signup = queries.awaiting_signup(db, signup_id) or abort(404)
    if not access.may_see_participant(db, g.user, signup["participant_id"]):
        abort(403)
    return signup


@bp.route("/signups/<signup_id>/same-woman", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def join_signup(signup_id):
    """The coordinator called: it is the woman already registered. The sign-up joins her record."""
    signup = awaiting_or_404(signup_id)
    db = get_db()
    access.require_present(db, signup["participant_id"])  # she withdrew: register the sign-up on its own
    with transaction(db):
        if not queries.join_awaiting(db, signup):
            abort(409)  # decided a moment ago (a double tap, or another coordinator)
        audit.record(db, "signup.join", signup["participant_id"])
    flash(_("The sign-up is added to her record."), "success")
    return redirect(url_for("casework.calls") + "#awaiting")


@bp.route("/signups/<signup_id>/another-woman", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def separate_signup(signup_id):
    """Another woman who shares the phone: registered on her own, without the number."""
    signup = awaiting_or_404(signup_id)
    db = get_db()
    with transaction(db):
        participant_id = queries.separate_awaiting(db, signup)
        if participant_id is None:
            abort(409)  # decided a moment ago (a double tap, or another coordinator)
        audit.record(db, "signup.separate", participant_id)
    flash(_("She is registered on her own, without the phone number (it is the other woman's)."), "success")
    return redirect(url_for("participants.participant", participant_id=participant_id))


@bp.route("/campaigns/<id:campaign_id>")
@staff_required("coordinator", "admin")
def campaign(campaign_id):
    """Show a campaign per channel, with its posters in each of its languages."""
    db = get_db()
    row = queries.campaign(db, campaign_id) or abort(404)
    return render_template(
        "outreach/campaign.html",
        campaign=row,
        languages=json.loads(row["languages"]),
        estates=queries.campaign_estate_names(db, campaign_id),
        per_channel=queries.signups_per_channel(db, campaign_id),
        per_estate=queries.signups_per_estate(db, campaign_id),
        codes=queries.poster_codes(db, campaign_id),
        channels=CHANNELS,
    )


@bp.route("/campaigns/<id:campaign_id>/posters/<channel>")
@staff_required("coordinator", "admin")
def poster(campaign_id, channel):
    """Print a one-page A4 poster in the page's language (with `?others=1`, a line in each of the campaign's
    other languages too): activity pictograms, a QR code, and a short link to type in any case."""
    db = get_db()
    code = queries.poster_codes(db, campaign_id).get(channel) or abort(404)
    link = external_url("outreach.self_signup", code=code)
    # Without the language (her phone's is chosen) and the scheme, the code in groups: short to type.
    short_link = f"{public_host()}/j/{printed_short_code(code)}"
    others = []
    if request.args.get("others"):
        campaign = queries.campaign(db, campaign_id) or abort(404)
        for code_of_language in json.loads(campaign["languages"]):
            if code_of_language != current_language():
                with force_locale(code_of_language):
                    others.append(
                        {
                            "lang": code_of_language,
                            "dir": text_direction(code_of_language),
                            "headline": _("Meet other women where you live"),
                            "scan": _("Scan the code with your phone, or type:"),
                        }
                    )
    return render_template(
        "outreach/poster.html",
        link=link,
        short_link=short_link,
        qr_svg=qr_svg(link),
        activities=ACTIVITIES,
        others=others,
    )


# ---- Self sign-up from a poster (the woman herself, on her own phone) -------------

SELF_SIGNUP_SALT = "self-signup"
SELF_SIGNUPS_PER_ADDRESS = 20  # in 15 minutes: a family or a community room, not a script
SELF_SIGNUPS_PER_CAMPAIGN_HOUR = (
    30  # from every address together: more is a script, and coordinators are told
)
SELF_SIGNUP_HOURS = 6


def self_signup_token(code):
    """A signed token in the form instead of a session: nothing is stored on her phone."""
    serializer = keys.serializer(SELF_SIGNUP_SALT)
    return serializer.dumps({"code": code, "id": str(uuid.uuid4()), "at": clock.now_iso()})


def read_self_signup_token(token, code):
    """Return the token's content if it is genuine, recent and for this poster; else None."""
    serializer = keys.serializer(SELF_SIGNUP_SALT)
    try:
        content = serializer.loads(token or "", max_age=SELF_SIGNUP_HOURS * 3600)
    except BadData:
        return None
    return content if isinstance(content, dict) and content.get("code") == code else None


def private_page():
    """Leave nothing on her phone: no cookies, no service worker, no cache."""
    g.private_page = True


@bp.route("/j/<code>", methods=["GET", "POST"])
def self_signup(code):
    """Let a woman sign herself up from a poster, in her language."""
    private_page()
    db = get_db()
    found = queries.poster(db, code) or abort(404)
    if found["code"] != code:  # typed from the poster in capitals or with its hyphens: the one address
        if request.method == "GET":
            return redirect(url_for("outreach.self_signup", code=found["code"]), 301)
        code = found["code"]
    consent = queries.current_consent_texts(db).get(current_language())
    if consent is None or not queries.campaign_is_running(db, found["campaign_id"]):
        return render_template("outreach/self_signup_closed.html"), 404
    if request.method == "GET":
        return render_self_signup(db, found, consent, {"token": self_signup_token(code)})
    data = form_data(request.form, SELF_SIGNUP_FIELDS)
    token = read_self_signup_token(request.form.get("token"), code)
    if token is None:
        data["token"] = self_signup_token(code)
        return render_self_signup(
            db, found, consent, data, {"form": _("This form has expired. Send it again.")}, 400
        )
    data.update(channel=found["channel"], campaign_id=found["campaign_id"], subgroup="unknown")
    address = request.remote_addr or "unknown"
    if not allow_attempt(db, current_app.secret_key, "self_signup", address, SELF_SIGNUPS_PER_ADDRESS):
        errors = {"form": _("Too many sign-ups from this connection. Try again in a quarter of an hour.")}
        return render_self_signup(db, found, consent, data, errors, 429)
    if not allow_attempt(
        db,
        current_app.secret_key,
        "self_signup_campaign",
        str(found["campaign_id"]),
        SELF_SIGNUPS_PER_CAMPAIGN_HOUR,
        window=timedelta(hours=1),
    ):
        with transaction(db):
            queries.tell_coordinators_signups_paused(db, found["campaign_id"])
        errors = {
            "form": _("Many sign-ups are arriving right now. Try again in an hour, or ask a staff member.")
        }
        return render_self_signup(db, found, consent, data, errors, 429)
    _answer, errors = store_form(data, token["id"], token["at"], None)
    if errors:
        data["token"] = self_signup_token(code) if "form" in errors else request.form.get("token")
        return render_self_signup(db, found, consent, data, errors, 400)
    return redirect(url_for("outreach.self_signup_thanks", code=code))


def render_self_signup(db, found, consent, data, errors=None, status=200):
    """The self sign-up form, with what was typed and its errors."""
    context = {
        "code": found["code"],
        "data": data,
        "errors": errors or {},
        "estates": queries.estates(db),
        "consent": consent,
        "interests": INTERESTS,
        "availability": AVAILABILITY,
    }
    return render_template("outreach/self_signup.html", **context), status


@bp.route("/j/<code>/thanks")
def self_signup_thanks(code):
    """Thank her, and say what happens next."""
    private_page()
    queries.poster(get_db(), code) or abort(404)
    return render_template("outreach/self_signup_thanks.html")


# ---- A worker's own sign-ups -------------------------------------------------------


@bp.route("/signups/mine")
@staff_required()
@offline_page
def my_signups():
    """List her own sign-ups of the last 30 days, and (by JavaScript) what still waits on the phone."""
    rows = queries.signups_by_user(get_db(), g.user["id"])
    return render_template(
        "outreach/my_signups.html",
        signups=rows,
        channels=CHANNELS,
        say_merged=access.may_learn_who_signed_up(g.user),
    )
