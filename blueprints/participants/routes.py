import uuid

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

import access
import audit
import clock
from access import CASEWORK_ROLES, staff_required
from addresses import external_url
from choices import (
    ACTION_PLANS,
    ACTIVITIES,
    BENEFITS,
    CALL_OUTCOMES,
    CONTACT_KINDS,
    LEAVING_REASONS,
    PROGRESS_AIM_NAMES,
    STAGES,
    STEP_KINDS,
)
from db import get_db, transaction
from qr import qr_svg
from sms import sender_for

from ..casework import pathway
from ..casework import queries as casework
from ..casework.forms import ContactForm
from ..checkin import queries as checkin
from ..groups import queries as groups
from ..me import links
from . import bp, queries
from .cards import blank_cards, new_cards


def participant_or_404(participant_id):
    """Return her record, or stop with 404 (no such woman) or 403 (not for this staff member)."""
    access.require_participant(get_db(), g.user, participant_id)
    return queries.participant(get_db(), participant_id)


@bp.route("/participants", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def participants():
    """Find a woman by first name or phone; without a search, the latest registered. The search is posted,
    so that names and numbers typed never reach an address bar, a browser's history or an access log."""
    text = request.form.get("q", "").strip()[:60] if request.method == "POST" else ""
    db = get_db()
    if text:  # that a search was made, never what was searched for
        with transaction(db):
            audit.record(db, "participant.search")
    rows = (
        queries.find_participants(db, g.user, text, limit=50)
        if text
        else queries.recent_participants(db, g.user)
    )
    return render_template("participants/list.html", participants=rows, query=text)


def render_participant(row, new_link=None, status=200, offer_error=None):
    """Her record page, with a new link shown once when one was just made."""
    db = get_db()
    her_groups = queries.groups_of(db, row["id"])
    offers = groups.offers_of(db, row["id"])
    taken = {group["id"] for group in her_groups if group["state"] != "left"} | {
        group["id"] for group in offers
    }
    return render_template(
        "participants/participant.html",
        participant=row,
        groups=her_groups,
        offers=offers,
        offer_choices=[group for group in groups.groups_for(db, g.user) if group["id"] not in taken],
        offer_error=offer_error,
        link=links.current_link(db, row["id"]),
        card_issued=queries.printed_card_issued(db, row["id"]),
        new_link=new_link,
        new_link_qr=qr_svg(new_link) if new_link else None,
        activities=ACTIVITIES,
        **casework_of(db, row["id"]),
    ), status


def progress_due_on(db, participant_id, progress):
    """When her next answers on the four aims are due (None when she is not enrolled)."""
    stay = casework.open_visitation(db, participant_id)
    if stay is None:
        return None
    last = casework.as_day(progress[-1]["asked_on"]) if progress else None
    return pathway.progress_due_on(casework.as_day(stay["enrolled_on"]), last)


def casework_of(db, participant_id):
    """Her way in the programme, for her record: enrolment, stays, calls, contacts, steps, answers, CV."""
    progress = casework.progress_of(db, participant_id)
    return {
        "visitation": casework.open_visitation(db, participant_id),
        "stays": casework.visitations_of(db, participant_id),
        "calls": casework.calls_of(db, participant_id),
        "contacts": casework.contacts_of(db, participant_id, limit=20),
        "steps": casework.steps_of(db, participant_id),
        "group_steps": casework.groups_as_steps(db, participant_id),
        "year_hours": casework.hours_in_months(db, participant_id, pathway.last_twelve_months(clock.today())),
        "year_target": pathway.YEAR_HOURS,
        "progress": progress,
        "progress_due_on": progress_due_on(db, participant_id, progress),
        "today": clock.today(),
        "cv": casework.cv_of(db, participant_id),
        "contact_form": ContactForm(formdata=None),
        "contact_item_id": str(uuid.uuid4()),
        "may_do_casework": access.may_do_casework(db, g.user, participant_id),
        "labels": {
            "stages": STAGES,
            "benefits": BENEFITS,
            "action_plans": ACTION_PLANS,
            "leaving_reasons": LEAVING_REASONS,
            "call_outcomes": CALL_OUTCOMES,
            "contact_kinds": CONTACT_KINDS,
            "step_kinds": STEP_KINDS,
            "aims": PROGRESS_AIM_NAMES,
        },
        "contact_kinds": CONTACT_KINDS,
    }


@bp.route("/participants/<id:participant_id>")
@staff_required(*CASEWORK_ROLES)
def participant(participant_id):
    """A woman's record: her groups and her personal link."""
    row = participant_or_404(participant_id)
    with transaction(get_db()):
        audit.record(get_db(), "participant.view", participant_id)
    return render_participant(row)


def personal_url(token, language):
    """Her personal link as a full URL in her language."""
    return external_url("me.open_link", lang=language, token=token)


@bp.route("/participants/<id:participant_id>/link", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def new_link(participant_id):
    """Make her a new personal link (older ones stop), then show it once or text it to her."""
    row = participant_or_404(participant_id)
    access.require_present(get_db(), participant_id)
    db = get_db()
    sending = request.form.get("send") == "sms"
    with transaction(db):
        token = links.create_link(db, participant_id, g.user["id"])
        audit.record(db, "link.send" if sending else "link.create", participant_id)
    url = personal_url(token, row["language"])
    if sending:
        with force_locale(row["language"]):
            text = _("Your calendar: %(url)s", url=url)
        if row["phone"] and sender_for(current_app).send(row["phone"], text):
            flash(_("The link is sent to her phone. It works once, so only she can open it."), "ok")
            return redirect(url_for("participants.participant", participant_id=participant_id))
        flash(_("The text could not be sent. Show her the link instead."), "error")
    return render_participant(row, new_link=url)


@bp.route("/participants/<id:participant_id>/link/revoke", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def revoke_link(participant_id):
    """Stop her personal link, on every phone that opened it."""
    participant_or_404(participant_id)
    db = get_db()
    with transaction(db):
        links.revoke_links(db, participant_id)
        audit.record(db, "link.revoke", participant_id)
    flash(_("Her link is stopped. Her page no longer opens on any phone."), "ok")
    return redirect(url_for("participants.participant", participant_id=participant_id))


@bp.route("/participants/<id:participant_id>/take", methods=["POST"])
@staff_required("coordinator")
def take_on(participant_id):
    """Make her one of my women (my caseload): from then on other coordinators see her only as a team."""
    participant_or_404(participant_id)
    access.require_present(get_db(), participant_id)
    db = get_db()
    if not access.may_take_on(db, g.user, participant_id):
        abort(403)
    with transaction(db):
        queries.take_on(db, participant_id, g.user["id"])
        audit.record(db, "participant.take_on", participant_id)
    flash(_("She is one of your women now."), "ok")
    if request.form.get("back") == "calls":
        return redirect(url_for("casework.calls"))
    return redirect(url_for("participants.participant", participant_id=participant_id))


@bp.route("/participants/<id:participant_id>/offers", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def offer(participant_id):
    """Offer her to a group: its facilitators may then find her by name and enrol her."""
    row = participant_or_404(participant_id)
    access.require_present(get_db(), participant_id)
    db = get_db()
    group_id = request.form.get("group_id", type=int)
    if group_id is None or groups.group(db, group_id) is None:
        return render_participant(row, status=400, offer_error=_("Choose a group."))
    if not access.may_offer(db, g.user, group_id, participant_id):
        abort(403)
    with transaction(db):
        groups.offer(db, group_id, participant_id, g.user["id"])
        audit.record(db, "group.offer", participant_id, f"group:{group_id}")
    flash(_("She is offered to the group: its facilitators can find her and enrol her."), "ok")
    return redirect(url_for("participants.participant", participant_id=participant_id) + "#groups")


@bp.route("/participants/<id:participant_id>/offers/<id:group_id>/withdraw", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def withdraw_offer(participant_id, group_id):
    """Take back an offer to a group."""
    participant_or_404(participant_id)
    db = get_db()
    with transaction(db):
        groups.withdraw_offer(db, group_id, participant_id)
        audit.record(db, "group.offer_withdrawn", participant_id, f"group:{group_id}")
    return redirect(url_for("participants.participant", participant_id=participant_id) + "#groups")


@bp.route("/follow-up")
@staff_required(*CASEWORK_ROLES)
def follow_up():
    """Women who missed their last two sessions or were not seen for 5 days, with a number to call."""
    db = get_db()
    women = checkin.women_to_follow_up(db, user=g.user)
    with transaction(db):
        audit.record(db, "follow_up.view", detail=f"women:{len(women)}")
    return render_template("participants/follow_up.html", women=women)


@bp.route("/cards/blank")
@staff_required()
def blank_card_sheet():
    """A sheet of 8 cards nobody holds yet, each with its code printed under the QR code, to hand out at the
    door; the worker types the code into the sign-up. New codes at every load; none is stored."""
    return render_template("participants/blank_cards.html", cards=blank_cards())


@bp.route("/participants/<id:participant_id>/card", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def new_card(participant_id):
    """Print (or show on screen) a new card for her; her old printed card stops working."""
    row = participant_or_404(participant_id)
    access.require_present(get_db(), participant_id)
    db = get_db()
    with transaction(db):
        cards = new_cards(db, [row])
        audit.record(db, "card.create", participant_id)
    return render_template("participants/cards.html", cards=cards)
