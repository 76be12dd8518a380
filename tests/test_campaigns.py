"""Campaigns, posters, self sign-up from a poster, and the numbers per channel and estate."""

import re
from datetime import timedelta

import pytest

import clock
from blueprints.outreach import queries as outreach
from choices import CHANNELS
from tokens import printed_short_code

from .conftest import post_form, translated
from .test_outbox import phone, reference_data, signup_item  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fixed_clock")  # campaigns run from and to days around a known today


@pytest.fixture
def estate_id(db, reference_data):  # noqa: F811
    return db.execute("SELECT id FROM estates").fetchone()[0]


@pytest.fixture
def campaign_id(db, staff, estate_id):
    today = clock.today()
    return outreach.create_campaign(
        db,
        "Forår i Vejleåparken",
        str(today - timedelta(days=10)),
        str(today + timedelta(days=60)),
        [estate_id],
        ["da", "ar"],
        staff["coordinator"],
        CHANNELS,
    )


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_coordinator_creates_a_campaign_with_a_poster_per_channel(login_as, db, estate_id):
    client = login_as("coordinator")
    response = post_form(
        client,
        "/da/campaigns",
        {
            "name": "Efterår",
            "starts_on": "2026-09-01",
            "ends_on": "2026-11-30",
            "estates": [str(estate_id)],
            "languages": ["da", "tr"],
        },
    )
    assert response.status_code == 302
    match = re.fullmatch(r"/da/campaigns/(\d+)", response.location)  # the new campaign's own page
    assert match, response.location
    campaign_id = int(match.group(1))
    html = client.get(response.location).get_data(as_text=True)
    assert "Efterår" in html
    assert set(outreach.poster_codes(db, campaign_id)) == set(CHANNELS)
    assert f"/tr/campaigns/{campaign_id}/posters/local_tv" in html


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 10_000}, "name"),
        ({"starts_on": "31/12/2026"}, "starts_on"),
        ({"ends_on": "2026-02-01"}, "ends_on"),
        ({"estates": []}, "estates"),
        ({"estates": ["999"]}, "estates"),
        ({"languages": ["en"]}, "languages"),
        ({"languages": []}, "languages"),
    ],
)
def test_bad_campaign_input_is_explained_and_kept(app, login_as, db, estate_id, changes, field):
    client = login_as("coordinator", lang="ar")
    form = {
        "name": "حملة الربيع",
        "starts_on": "2026-03-01",
        "ends_on": "2026-06-30",
        "estates": [str(estate_id)],
        "languages": ["ar"],
    }
    form.update(changes)
    response = post_form(client, "/ar/campaigns", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in html
    if field != "name":
        assert 'value="حملة الربيع"' in html
    assert count(db, "campaigns") == 0


def test_the_poster_has_a_qr_code_and_a_short_link_in_its_language(login_as, db, campaign_id):
    client = login_as("coordinator")
    html = client.get(f"/ar/campaigns/{campaign_id}/posters/grocery_notice").get_data(as_text=True)
    code = outreach.poster_codes(db, campaign_id)["grocery_notice"]
    assert "<svg" in html and "<path" in html
    # The QR code holds the whole address; the poster prints it short, to type in any case.
    assert f"/j/{printed_short_code(code)}</bdi>" in html and "http" not in html.split("poster-link")[1][:80]
    assert '<html lang="ar" dir="rtl">' in html


def test_a_poster_for_an_unknown_channel_is_404(login_as, campaign_id):
    assert login_as("coordinator").get(f"/da/campaigns/{campaign_id}/posters/radio").status_code == 404


def self_signup_form(html):
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_a_woman_signs_up_from_a_poster_and_nothing_stays_on_her_phone(app, client, db, campaign_id):
    code = outreach.poster_codes(db, campaign_id)["grocery_notice"]
    page = client.get(f"/tr/j/{code}")
    html = page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers
    assert "manifest" not in html and "app.js" not in html and "outbox.js" not in html
    assert f"<title>{translated(app, 'tr', 'Calendar')}</title>" in html
    consent_id = db.execute("SELECT id FROM consent_texts WHERE language = 'tr'").fetchone()[0]
    form = {
        "token": self_signup_form(html),
        "first_name": "Ayşe",
        "phone": "20 12 34 99",
        "estate_id": str(db.execute("SELECT id FROM estates").fetchone()[0]),
        "interests": ["cooking"],
        "childcare": "1",
        "consent_text_id": str(consent_id),
    }
    response = client.post(f"/tr/j/{code}", data=form)
    assert response.status_code == 302 and "Set-Cookie" not in response.headers
    assert response.location == f"/tr/j/{code}/thanks"
    assert client.post(f"/tr/j/{code}", data=form).status_code == 302  # sent twice
    thanks = client.get(response.location)
    assert thanks.status_code == 200 and "Set-Cookie" not in thanks.headers
    row = db.execute("SELECT * FROM participants").fetchone()
    assert count(db, "participants") == 1
    assert (row["channel"], row["campaign_id"], row["language"]) == ("grocery_notice", campaign_id, "tr")
    assert row["registered_by"] is None and row["subgroup"] == "unknown"
    assert client.get_cookie("session") is None and client.get_cookie("lang") is None


def test_a_self_sign_up_with_errors_keeps_what_she_typed(app, client, db, campaign_id):
    code = outreach.poster_codes(db, campaign_id)["poster"]
    token = self_signup_form(client.get(f"/ar/j/{code}").get_data(as_text=True))
    response = client.post(f"/ar/j/{code}", data={"token": token, "first_name": "سميرة", "phone": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="سميرة"' in html and 'value="1"' in html
    assert count(db, "participants") == 0


def test_a_self_sign_up_with_a_forged_token_is_refused(client, db, campaign_id):
    code = outreach.poster_codes(db, campaign_id)["poster"]
    response = client.post(f"/da/j/{code}", data={"token": "forged", "first_name": "X"})
    assert response.status_code == 400
    assert 'value="X"' in response.get_data(as_text=True)


def test_an_unknown_poster_code_is_404(client):
    assert client.get("/da/j/nothing").status_code == 404


def test_a_short_link_without_language_opens_in_the_phones_language(client, db, campaign_id):
    code = outreach.poster_codes(db, campaign_id)["poster"]
    response = client.get(f"/j/{code}", headers={"Accept-Language": "ur"})
    assert response.location == f"/ur/j/{code}"


def test_numbers_below_five_are_hidden(login_as, db, staff, campaign_id):
    from outbox import process_items

    items = [signup_item(db, n, campaign_id=campaign_id, channel="local_tv") for n in range(3)]
    items += [signup_item(db, 10 + n, campaign_id=campaign_id, channel="friend") for n in range(6)]
    process_items(db, items, staff["outreach"])
    html = login_as("coordinator").get(f"/da/campaigns/{campaign_id}").get_data(as_text=True)
    assert "<td>&lt;5</td>" in html and "<td>6</td>" in html and "<td>3</td>" not in html
    assert "<td>9</td>" in html  # the estate's total


def test_a_worker_sees_her_own_sign_ups_and_not_others(login_as, db, staff, reference_data):  # noqa: F811
    from outbox import process_items

    process_items(db, [signup_item(db, 1, first_name="Mine")], staff["outreach"])
    process_items(db, [signup_item(db, 2, first_name="Theirs")], staff["coordinator"])
    html = login_as("outreach").get("/da/signups/mine").get_data(as_text=True)
    assert "Mine" in html and "Theirs" not in html


def test_the_coordinator_sees_the_merges(login_as, db, staff, reference_data):  # noqa: F811
    from outbox import process_items

    process_items(db, [signup_item(db, 1, first_name="Amina")], staff["outreach"])
    process_items(db, [signup_item(db, 1, first_name="Amina B.")], staff["facilitator"])
    html = login_as("coordinator").get("/da/campaigns").get_data(as_text=True)
    assert "Amina" in html and "facilitator" in html
    assert phone(1) not in html


def test_self_sign_ups_from_one_address_are_limited(app, client, db, campaign_id):
    from blueprints.outreach.routes import SELF_SIGNUPS_PER_ADDRESS

    code = outreach.poster_codes(db, campaign_id)["poster"]
    statuses = []
    for _ in range(SELF_SIGNUPS_PER_ADDRESS + 1):
        token = self_signup_form(client.get(f"/da/j/{code}").get_data(as_text=True))
        statuses.append(client.post(f"/da/j/{code}", data={"token": token, "first_name": "X"}).status_code)
    assert statuses[:-1] == [400] * SELF_SIGNUPS_PER_ADDRESS  # counted even when the form had errors
    assert statuses[-1] == 429


def test_the_sign_up_form_chooses_the_campaign_running_now(login_as, db, staff, campaign_id):
    html = login_as("outreach").get("/da/signup").get_data(as_text=True)
    assert re.search(rf'<option value="{campaign_id}" selected>Forår i Vejleåparken</option>', html)


def test_without_a_running_campaign_the_sign_up_form_chooses_none(login_as, db, staff, estate_id):
    today = clock.today()
    ended = outreach.create_campaign(
        db,
        "Sidste år",
        str(today - timedelta(days=400)),
        str(today - timedelta(days=300)),
        [estate_id],
        ["da"],
        staff["coordinator"],
        CHANNELS,
    )
    html = login_as("outreach").get("/da/signup").get_data(as_text=True)
    choices = html.split('id="campaign_id"', 1)[1].split("</select>", 1)[0]
    assert f'value="{ended}"' not in choices
    assert " selected>" not in choices


def test_a_poster_code_typed_in_capitals_or_with_its_hyphens_opens_the_form(client, db, campaign_id):
    code = outreach.poster_codes(db, campaign_id)["poster"]
    printed = printed_short_code(code)
    assert printed.count("-") == 2 and printed.replace("-", "") == code
    assert not set(code) & set("0o1li") and code == code.lower()
    for typed in (printed, printed.upper(), code.upper(), printed.replace("-", " ").upper()):
        response = client.get(f"/da/j/{typed}")
        assert (response.status_code, response.location) == (301, f"/da/j/{code}"), typed
    assert client.get(f"/da/j/{code}").status_code == 200


def test_self_sign_ups_of_a_campaign_are_limited_per_hour_and_coordinators_are_told(
    app, client, db, campaign_id, login_as
):
    from blueprints.outreach.routes import SELF_SIGNUPS_PER_CAMPAIGN_HOUR

    code = outreach.poster_codes(db, campaign_id)["poster"]
    statuses = []
    for number in range(SELF_SIGNUPS_PER_CAMPAIGN_HOUR + 2):
        # From many addresses, as a script behind many connections would send them.
        environ = {"REMOTE_ADDR": f"10.0.{number // 200}.{number % 200}"}
        token = self_signup_form(client.get(f"/da/j/{code}").get_data(as_text=True))
        response = client.post(
            f"/da/j/{code}", data={"token": token, "first_name": "X"}, environ_base=environ
        )
        statuses.append(response.status_code)
    assert statuses[:SELF_SIGNUPS_PER_CAMPAIGN_HOUR] == [400] * SELF_SIGNUPS_PER_CAMPAIGN_HOUR
    assert statuses[SELF_SIGNUPS_PER_CAMPAIGN_HOUR:] == [429, 429]
    assert translated(
        app, "da", "Many sign-ups are arriving right now. Try again in an hour, or ask a staff member."
    ) in response.get_data(as_text=True)
    notices = db.execute("SELECT count(*) FROM audit_log WHERE action = 'self_signup.paused'").fetchone()[0]
    assert notices == 1  # told once, not once per refused sign-up
    page = login_as("coordinator").get("/da/campaigns").get_data(as_text=True)
    assert "Forår i Vejleåparken" in page.split('id="awaiting"')[0]  # the notice, above the lists


def test_a_poster_sign_up_with_a_known_number_adds_nothing_to_her_record_until_a_coordinator_says(
    app, client, db, campaign_id
):
    code = outreach.poster_codes(db, campaign_id)["poster"]
    consent_id = db.execute("SELECT id FROM consent_texts WHERE language = 'da'").fetchone()[0]
    estate = str(db.execute("SELECT id FROM estates").fetchone()[0])
    for name in ("Amina", "Amina igen"):
        token = self_signup_form(client.get(f"/da/j/{code}").get_data(as_text=True))
        form = {
            "token": token,
            "first_name": name,
            "phone": "20 12 34 99",
            "estate_id": estate,
            "consent_text_id": str(consent_id),
        }
        assert client.post(f"/da/j/{code}", data=form).status_code == 302
    assert count(db, "participants") == 1 and count(db, "consents") == 1
    assert db.execute("SELECT awaiting FROM signups ORDER BY rowid").fetchall()[1][0] == 1
