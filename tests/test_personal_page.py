"""A woman's own page: a link swapped for a cookie, only her sessions, revocable, a valid calendar."""

import hashlib
from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

import clock
from blueprints.groups import queries as groups
from blueprints.groups.schedule import LOCAL
from blueprints.me import links

from .conftest import add_group, add_woman, csrf_token_from, translated

# Links open and expire against the app's clock, held at conftest.NOW and moved on by hand below.
pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def women(app, db, staff):
    """Amina in the cooking group; Fatma in another group, at another place."""
    amina = add_woman(db, "Amina", "+4520123401", "ar")
    fatma = add_woman(db, "Fatma", "+4520123402", "tr")
    cooking = add_group(db, staff["facilitator"], weekdays=(1,), bring="Et forklæde")
    walking = add_group(db, staff["facilitator"], weekdays=(3,), name="Let motion", place="Fælleshuset")
    groups.enrol(db, cooking, amina)
    groups.enrol(db, walking, fatma)
    with app.test_request_context():
        tokens = {
            "amina": links.create_link(db, amina, staff["coordinator"]),
            "fatma": links.create_link(db, fatma, staff["coordinator"]),
        }
    return {"amina": amina, "fatma": fatma, "cooking": cooking, "walking": walking, "tokens": tokens}


def open_her_link(client, token, lang="ar"):
    """What her phone does: the link's page, whose script sends its one button at once."""
    page = client.get(f"/{lang}/c/{token}")
    assert page.status_code == 200 and "data-auto-submit" in page.get_data(as_text=True)
    response = client.post(f"/{lang}/c/{token}", headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303
    assert response.location == f"/{lang}/c"
    return response


def test_the_link_is_swapped_for_a_cookie_and_leaves_the_address(client, women):
    response = open_her_link(client, women["tokens"]["amina"])
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("cal=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert women["tokens"]["amina"] not in cookie
    page = client.get("/ar/c")
    assert page.status_code == 200
    assert page.headers["X-Offline-Page"] == "1"
    assert 'dir="rtl"' in page.get_data(as_text=True)


def test_her_page_shows_only_her_sessions_and_nothing_about_anyone_else(client, db, women):
    open_her_link(client, women["tokens"]["amina"])
    page = client.get("/ar/c").get_data(as_text=True)
    assert "Beboerhuset" in page and "Et forklæde" in page
    for other in ("Fælleshuset", "Fatma", "+4520123402", "Let motion"):
        assert other not in page
    # Nor her own name, number or the programme's group name: the page is neutral.
    for revealing in ("Amina", "+4520123401", "Madklubben"):
        assert revealing not in page
    assert "<title>" + translated(client.application, "ar", "Calendar") + "</title>" in page


def test_her_page_is_neutral_and_marks_a_cancelled_session(app, client, db, women):
    session = groups.group_sessions(db, women["cooking"], "2000")[1]
    groups.cancel_session(db, session["id"], "Sygdom")
    open_her_link(client, women["tokens"]["amina"], lang="da")
    page = client.get("/da/c").get_data(as_text=True)
    assert 'class="meeting cancelled"' in page
    assert translated(app, "da", "Cancelled") in page and "Sygdom" in page


def test_the_link_works_once_then_only_the_phone_that_opened_it_shows_the_page(client, app, women):
    open_her_link(client, women["tokens"]["amina"])
    other_phone = app.test_client()
    # Soon after (the text app, then the browser) it still opens; later it does not.
    assert other_phone.post(f"/ar/c/{women['tokens']['amina']}").status_code == 303
    later = clock.now() + links.REOPEN_WINDOW + timedelta(minutes=1)

    with clock.fixed(later):
        third_phone = app.test_client()
        assert third_phone.get(f"/ar/c/{women['tokens']['amina']}").status_code == 410
        assert third_phone.post(f"/ar/c/{women['tokens']['amina']}").status_code == 410
        assert third_phone.get("/ar/c").status_code == 410
    assert client.get("/ar/c").status_code == 200


def test_a_revoked_link_shows_nothing_on_any_phone(app, client, db, women):
    open_her_link(client, women["tokens"]["amina"])
    feed = next(
        line for line in client.get("/ar/c").get_data(as_text=True).splitlines() if "/c/feed/" in line
    )
    feed_path = "/ar/c/feed/" + feed.split("/c/feed/")[1].split(".ics")[0] + ".ics"
    assert client.get(feed_path).status_code == 200
    with app.test_request_context():
        links.revoke_links(db, women["amina"])
    for path in ("/ar/c", "/ar/c/calendar.ics", feed_path, f"/ar/c/{women['tokens']['amina']}"):
        response = client.get(path)
        assert response.status_code == 410, path
        assert "Beboerhuset" not in response.get_data(as_text=True)
    card = db.execute("SELECT replaced_at FROM cards WHERE participant_id = ?", [women["amina"]]).fetchone()
    assert card["replaced_at"]


def test_coordinator_revokes_her_link_from_her_record(app, client, db, women, login_as):
    open_her_link(client, women["tokens"]["amina"])
    coordinator = app.test_client()
    from .conftest import login

    login(coordinator, "coordinator")
    url = f"/da/participants/{women['amina']}"
    token = csrf_token_from(coordinator.get(url).get_data(as_text=True))
    assert coordinator.post(url + "/link/revoke", data={"csrf_token": token}).status_code == 302
    assert client.get("/ar/c").status_code == 410


def test_a_new_link_is_shown_once_and_ends_the_old_one(app, client, db, women):
    from .conftest import login

    open_her_link(client, women["tokens"]["amina"])
    coordinator = app.test_client()
    login(coordinator, "coordinator")
    url = f"/da/participants/{women['amina']}"
    token = csrf_token_from(coordinator.get(url).get_data(as_text=True))
    page = coordinator.post(url + "/link", data={"csrf_token": token}).get_data(as_text=True)
    new_token = page.split("/ar/c/")[1].split('"')[0]
    assert len(new_token) >= 22  # 128 random bits
    assert hashlib.sha256(new_token.encode()).hexdigest() in {
        row[0] for row in db.execute("SELECT token_hash FROM personal_links WHERE revoked_at IS NULL")
    }
    assert new_token not in coordinator.get(url).get_data(as_text=True)
    assert client.get("/ar/c").status_code == 410  # the old link's phone
    open_her_link(app.test_client(), new_token)


def test_the_link_can_be_sent_by_text_in_her_language(app, db, women):
    from pathlib import Path

    from .conftest import login

    coordinator = app.test_client()
    login(coordinator, "coordinator")
    url = f"/da/participants/{women['fatma']}"
    token = csrf_token_from(coordinator.get(url).get_data(as_text=True))
    response = coordinator.post(url + "/link", data={"csrf_token": token, "send": "sms"})
    assert response.status_code == 302
    text = Path(app.config["SMS_FILE"]).read_text(encoding="utf-8")
    assert "+4520123402" in text and "/tr/c/" in text and "Fatma" not in text


def test_the_calendar_file_parses_back_with_one_event_per_session_in_copenhagen_time(client, db, women):
    sessions = groups.group_sessions(db, women["cooking"], "2000")
    groups.cancel_session(db, sessions[0]["id"], "Sygdom")
    open_her_link(client, women["tokens"]["amina"], lang="tr")
    response = client.get("/tr/c/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == len(sessions)
    assert len({str(event["UID"]) for event in events}) == len(events)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Copenhagen"
    first = events[0]
    assert first.decoded("DTSTART").tzinfo.key == "Europe/Copenhagen"
    assert first.decoded("DTSTART").astimezone(LOCAL).hour == 10
    assert str(first["STATUS"]) == "CANCELLED"
    assert str(events[1]["STATUS"]) == "CONFIRMED"
    assert str(events[1]["LOCATION"]) == "Beboerhuset"
    body = response.get_data(as_text=True)
    assert "Madklubben" not in body and "Amina" not in body


def test_the_feed_follows_changes(client, db, women):
    open_her_link(client, women["tokens"]["amina"])
    page = client.get("/ar/c").get_data(as_text=True)
    feed_path = "/ar/c/feed/" + page.split("/c/feed/")[1].split(".ics")[0] + ".ics"
    other_app = client.application.test_client()  # a calendar app: no cookie
    before = Calendar.from_ical(other_app.get(feed_path).data).walk("VEVENT")
    session = groups.group_sessions(db, women["cooking"], "2000")[2]
    later = datetime.fromisoformat(session["starts_at"]) + timedelta(hours=3)
    groups.move_session(db, session["id"], later, later + timedelta(hours=1), "")
    after = Calendar.from_ical(other_app.get(feed_path).data).walk("VEVENT")
    moved = next(event for event in after if str(event["UID"]) == f"session-{session['id']}@calendar")
    assert moved.decoded("DTSTART") == later
    assert int(moved["SEQUENCE"]) == 1
    assert len(before) == len(after)


def test_her_card_is_a_qr_code_of_an_opaque_code_that_is_stored_hashed(app, client, db, women):
    open_her_link(client, women["tokens"]["amina"])
    page = client.get("/ar/c").get_data(as_text=True)
    assert '<div class="personal-card"><svg' in page
    with app.test_request_context():
        token_hash = hashlib.sha256(women["tokens"]["amina"].encode()).hexdigest()
        code = links.derived(token_hash, "card")
    assert code not in page  # the code is only inside the QR drawing
    stored = db.execute("SELECT code_hash FROM cards WHERE participant_id = ?", [women["amina"]]).fetchone()
    assert stored["code_hash"] == hashlib.sha256(code.encode()).hexdigest()
    assert db.execute("SELECT count(*) FROM cards WHERE code_hash = ?", [code]).fetchone()[0] == 0


def test_forgetting_removes_the_page_from_this_phone(client, women):
    open_her_link(client, women["tokens"]["amina"])
    assert client.get("/ar/c").status_code == 200
    assert client.get("/ar/c/forget").status_code == 200  # asks first
    assert client.get("/ar/c").status_code == 200
    response = client.post("/ar/c/forget")
    assert response.status_code == 200
    assert "cal=;" in response.headers["Set-Cookie"]
    assert 'data-forget-pages="1"' in response.get_data(as_text=True)
    assert client.get("/ar/c").status_code == 410


def test_root_sends_her_to_her_page_and_the_manifest_starts_there(client, women):
    open_her_link(client, women["tokens"]["amina"])
    assert client.get("/").location.endswith("/c")
    manifest = client.get("/ar/c/manifest.webmanifest").get_json()
    assert manifest["start_url"] == "/ar/c"
    assert manifest["name"] == translated(client.application, "ar", "Calendar")


def test_her_page_sets_no_staff_session(client, women):
    open_her_link(client, women["tokens"]["amina"])
    response = client.get("/ar/c")
    assert "session" not in response.headers.get("Set-Cookie", "")
    assert "no-referrer" in response.headers["Referrer-Policy"]


def test_a_calendar_app_asking_again_gets_304_until_something_changes(client, db, women):
    open_her_link(client, women["tokens"]["amina"])
    first = client.get("/ar/c/calendar.ics")
    etag = first.headers["ETag"]
    again = client.get("/ar/c/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    session = groups.group_sessions(db, women["cooking"], "2000")[0]
    groups.describe_session(db, session["id"], "Dansk madkultur", "")
    changed = client.get("/ar/c/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Dansk madkultur" in changed.get_data(as_text=True)
    assert (
        client.get("/tr/c/calendar.ics", headers={"If-None-Match": changed.headers["ETag"]}).status_code
        == 200
    )


def test_the_calendar_covers_two_months_back_and_half_a_year_ahead(client, db, staff, women):
    first_day = clock.today() - timedelta(weeks=20)
    long_group = add_group(
        db, staff["facilitator"], first_day, first_day + timedelta(weeks=100), (0,), place="Hallen"
    )
    groups.enrol(db, long_group, women["amina"])
    open_her_link(client, women["tokens"]["amina"])
    events = Calendar.from_ical(client.get("/ar/c/calendar.ics").data).walk("VEVENT")
    starts = [event.decoded("DTSTART").date() for event in events if str(event["LOCATION"]) == "Hallen"]
    # Today is Wednesday 13 January 2027: the Mondays from 16 November 2026 to 12 July 2027, and no others.
    assert (min(starts), max(starts), len(starts)) == (date(2026, 11, 16), date(2027, 7, 12), 35)


def test_a_link_preview_does_not_use_up_the_link(app, client, women):

    preview_bot = app.test_client()
    assert preview_bot.get(f"/ar/c/{women['tokens']['amina']}").status_code == 200
    later = clock.now() + timedelta(hours=2)
    with clock.fixed(later):
        open_her_link(client, women["tokens"]["amina"])


def test_tapping_the_old_text_again_opens_her_page_and_keeps_her_cookie(app, client, women):

    open_her_link(client, women["tokens"]["amina"])
    later = clock.now() + timedelta(days=3)
    with clock.fixed(later):
        response = client.get(f"/ar/c/{women['tokens']['amina']}")
    assert response.status_code == 303 and response.location.endswith("/ar/c")
    assert "cal=;" not in response.headers.get("Set-Cookie", "")
    assert client.get("/ar/c").status_code == 200


def test_a_link_nobody_opened_stops_after_two_weeks(app, women):

    later = clock.now() + links.UNOPENED_LIFETIME + timedelta(hours=1)
    with clock.fixed(later):
        assert app.test_client().get(f"/ar/c/{women['tokens']['fatma']}").status_code == 410


def test_her_forms_refuse_a_post_from_another_site(client, women):
    url = f"/ar/c/{women['tokens']['amina']}"
    assert client.post(url, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post(url, headers={"Origin": "https://evil.example"}).status_code == 403
    open_her_link(client, women["tokens"]["amina"])
    assert client.post("/ar/c/forget", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get("/ar/c").status_code == 200


def test_a_group_change_of_place_reaches_her_calendar(client, db, staff, women):
    open_her_link(client, women["tokens"]["amina"])
    etag = client.get("/ar/c/calendar.ics").headers["ETag"]
    row = groups.group(db, women["cooking"])
    from blueprints.groups.schedule import Schedule as GroupSchedule

    fields = {key: row[key] for key in ("name", "activity", "estate_id", "bring", "capacity")}
    groups.update_group(
        db,
        women["cooking"],
        fields | {"place": "Hallen", "languages": ["da"]},
        GroupSchedule.of_group(row),
        [staff["facilitator"]],
        [],
    )
    response = client.get("/ar/c/calendar.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Hallen" in response.get_data(as_text=True)


def test_her_page_puts_the_next_meeting_first_marked_tomorrow_with_her_card_one_tap_away(client, women):
    open_her_link(client, women["tokens"]["fatma"], "tr")  # the clock: a Wednesday; her group meets Thursdays
    page = client.get("/tr/c").get_data(as_text=True)
    card_link, first_meeting = page.index('href="#card"'), page.index('class="meeting')
    assert card_link < first_meeting  # one tap from the top, before the list of meetings
    assert 'id="card"' in page
    first = page[first_meeting : page.index("</li>", first_meeting)]
    assert "data-relative-day" in first and ">Yarın<" in first  # tomorrow, in Turkish
    assert page.count("data-relative-day") == 1  # only the meeting of tomorrow is marked
    shown, more = page.split('<details class="more-meetings">')
    assert shown.count('<li class="meeting') == 4  # the next four weeks at once
    assert more.count('<li class="meeting') == 4 and "<summary>Diğer buluşmalar</summary>" in more


def test_a_meeting_today_is_marked_today(app, client, db, women):
    import clock

    with clock.fixed(clock.now() + timedelta(days=1)):  # Thursday morning: her group meets at 10:00
        open_her_link(client, women["tokens"]["fatma"], "da")
        page = client.get("/da/c").get_data(as_text=True)
    first = page[page.index('class="meeting') :]
    assert first.index(">I dag<") < first.index("</li>")


@pytest.mark.parametrize("lang", ["tr", "ur", "ar"])
def test_what_to_bring_and_why_cancelled_reach_her_in_her_language_with_free_text_marked(
    app, client, db, staff, women, lang
):
    """Phrases staff choose come in her language with a pictogram; what staff typed is shown as typed,
    marked as Danish; the calendar says it in her language too."""
    db.execute(
        "UPDATE groups SET bring_phrases = ?, bring = 'Hjemmelavet brød' WHERE id = ?",
        ['["apron", "shared_meal"]', women["cooking"]],
    )
    session = groups.group_sessions(db, women["cooking"], "2000")[1]
    groups.cancel_session(db, session["id"], "Pedellen har ferie", "house_closed")
    open_her_link(client, women["tokens"]["amina"], lang=lang)
    page = client.get(f"/{lang}/c").get_data(as_text=True)
    for phrase in ("An apron", "Something for a shared meal", "The meeting place is closed."):
        assert translated(app, lang, phrase) in page
    assert page.count('class="icon phrase"') >= 3
    in_danish = translated(app, lang, "in Danish")
    assert f'<bdi lang="da">Hjemmelavet brød</bdi> <span class="muted">({in_danish})</span>' in page
    assert f'<bdi lang="da">Pedellen har ferie</bdi> <span class="muted">({in_danish})</span>' in page
    feed = client.get(f"/{lang}/c/calendar.ics")
    assert feed.status_code == 200
    descriptions = [str(event.get("description")) for event in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert translated(app, lang, "An apron") in descriptions[0] and "Hjemmelavet brød" in descriptions[0]


def test_on_a_danish_page_typed_words_need_no_mark(app, client, db, women):
    db.execute("UPDATE groups SET bring = 'Hjemmelavet brød' WHERE id = ?", [women["cooking"]])
    open_her_link(client, women["tokens"]["amina"], lang="da")
    page = client.get("/da/c").get_data(as_text=True)
    assert "Hjemmelavet brød" in page and translated(app, "da", "in Danish") not in page
