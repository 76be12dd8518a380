"""A woman's own page: her next sessions in her language, her card, her calendar. Neutral everywhere."""

from datetime import timedelta

from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for

import clock
from addresses import external_url
from choices import ACTIVITIES
from db import get_db, transaction
from i18n import LANGUAGES
from qr import qr_svg
from tokens import sha256_hex

from ..groups.schedule import local_day
from ..pwa.manifest import manifest_for
from ..pwa.offline import offline_page
from . import bp, links, queries
from .calendar import calendar_file

COOKIE = "cal"
COOKIE_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
WEEKS_ON_PAGE = 8  # the first four shown at once, the rest behind "more meetings"
WEEKS_SHOWN_FIRST = 4
CALENDAR_PAST_DAYS = 60
# A cheap phone's calendar needs no more; the feed brings later sessions as time goes by.
CALENDAR_WEEKS_AHEAD = 26


@bp.before_request
def mark_personal_page():
    """Her pages get the personal-page headers (no referrer, no staff camera)."""
    g.personal_page = True


def from_this_site():
    """Her forms have no CSRF token (she has no staff session): they must come from this site's pages."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is None or origin == (current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/"))


@bp.route("/c/<token>")
def link_page(token):
    """Opening the link only shows a button (sent at once by the page's script): a link preview
    fetched by the text app must not use up a link that works once."""
    if her_link() is not None:
        return redirect(url_for("me.page"), 303)  # she tapped the old text again: her page is here
    if not links.link_works(get_db(), token[:100]):
        return gone()
    return render_template("me/open.html", token=token)


@bp.route("/c/<token>", methods=["POST"])
def open_link(token):
    """Swap the link for a cookie and go to the page without the token in the address bar."""
    if not from_this_site():
        abort(403)
    db = get_db()
    with transaction(db):
        opened = links.open_link(db, token[:100])
    if opened is None:
        return gone()
    device, language = opened
    response = redirect(url_for("me.page", lang=g.lang or language), 303)
    response.set_cookie(
        COOKIE,
        device,
        max_age=COOKIE_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def gone():
    """One neutral answer for a stopped, used or unknown link: nothing about anyone."""
    response = make_response(render_template("me/gone.html"), 410)
    response.delete_cookie(COOKIE)
    return response


def her_link():
    """Return the link this phone's cookie opens, or None."""
    return links.link_of_device(get_db(), request.cookies.get(COOKIE))


@bp.route("/c")
@offline_page
def page():
    """Her next sessions, her card and her calendar, in the language of the address."""
    link = her_link()
    if link is None:
        return gone()
    now = clock.now()
    sessions = queries.her_sessions(
        get_db(), link["participant_id"], now.isoformat(), (now + timedelta(weeks=WEEKS_ON_PAGE)).isoformat()
    )
    first_weeks = (now + timedelta(weeks=WEEKS_SHOWN_FIRST)).isoformat()
    feed_token, card_code = links.feed_token_of(link), links.card_code_of(link)
    feed_url = external_url("me.feed", feed_token=feed_token) if feed_token else None
    return render_template(
        "me/page.html",
        sessions=[s for s in sessions if s["starts_at"] < first_weeks],
        later=[s for s in sessions if s["starts_at"] >= first_weeks],
        days_from_today={s["id"]: (local_day(s["starts_at"]) - clock.today()).days for s in sessions},
        activities=ACTIVITIES,
        card=qr_svg(card_code) if card_code else None,
        feed_url=feed_url,
        subscribe_url="webcal://" + feed_url.split("://", 1)[1] if feed_url else None,
        keep_offline=[url_for("me.page", lang=code) for code in LANGUAGES],
        updated=now.isoformat(),
    )


def ics_response(link, download):
    """Her calendar from two months back to half a year ahead; a calendar app asking again gets a 304."""
    now = clock.now()
    since = (now - timedelta(days=CALENDAR_PAST_DAYS)).date().isoformat()
    until = (now + timedelta(weeks=CALENDAR_WEEKS_AHEAD)).date().isoformat()
    db = get_db()
    fingerprint = queries.calendar_fingerprint(db, link["participant_id"], since, until)
    etag = sha256_hex(f"{g.lang}:{since}:{fingerprint}")[:32]
    if etag in request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        sessions = queries.her_sessions(db, link["participant_id"], since, until)
        response = make_response(calendar_file(sessions, g.lang))
        response.mimetype = "text/calendar"
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"  # kept, but asked again every time
    if download:
        response.headers["Content-Disposition"] = 'attachment; filename="calendar.ics"'
    return response


@bp.route("/c/calendar.ics")
def calendar():
    """Every session as a file to add to the phone's calendar."""
    link = her_link()
    return gone() if link is None else ics_response(link, download=True)


@bp.route("/c/feed/<feed_token>.ics")
def feed(feed_token):
    """The same as a feed her calendar app fetches again by itself; stops with her link."""
    link = links.link_of_feed(get_db(), feed_token)
    return gone() if link is None else ics_response(link, download=False)


@bp.route("/c/manifest.webmanifest")
def manifest():
    """Installed from her page, the app opens on her page."""
    return manifest_for(url_for("me.page", lang=g.lang))


@bp.route("/c/forget")
def forget_page():
    """Ask before removing her page from this phone."""
    return render_template("me/forget.html")


@bp.route("/c/forget", methods=["POST"])
def forget():
    """Remove her page from this phone: the cookie, the saved copies, this phone's access."""
    if not from_this_site():
        abort(403)
    device = request.cookies.get(COOKIE)
    if device:
        db = get_db()
        with transaction(db):
            links.forget_device(db, device[:100])
    response = make_response(render_template("me/forgotten.html", forget_pages=True))
    response.delete_cookie(COOKIE)
    response.headers["Clear-Site-Data"] = '"cache"'
    return response
