"""The outbox contract: replayed, lost and concurrent sends store each sign-up exactly once."""

import hashlib
import random
import re
import uuid
from datetime import timedelta, timezone

import pytest

import clock

from .conftest import login, post_form, translated

pytestmark = pytest.mark.usefixtures("fixed_clock")


def phone(number):
    return f"+452{100000 + number:07d}"


def signup_item(db, number=0, **changes):
    consent_id = db.execute("SELECT id FROM consent_texts WHERE language = 'ar'").fetchone()[0]
    estate_id = db.execute("SELECT id FROM estates LIMIT 1").fetchone()[0]
    data = {
        "first_name": f"Amina {number}",
        "phone": phone(number),
        "language": "ar",
        "estate_id": estate_id,
        "year_of_birth": 1980,
        "subgroup": "activity_ready",
        "interests": ["cooking"],
        "availability": ["morning"],
        "childcare": True,
        "channel": "door_to_door",
        "campaign_id": None,
        "consent_text_id": consent_id,
    }
    data.update(changes)
    return {"id": str(uuid.uuid4()), "kind": "signup", "recorded_at": an_hour_ago(), "data": data}


def an_hour_ago():
    return (clock.now() - timedelta(hours=1)).astimezone(timezone(timedelta(hours=1))).isoformat()


@pytest.fixture
def reference_data(db):
    """An estate and a consent text in each language, as an administrator sets them up."""
    db.execute("INSERT INTO estates (name, municipality) VALUES ('Vejleåparken', 'Ishøj')")
    for language in ("da", "tr", "ur", "ar"):
        db.execute(
            "INSERT INTO consent_texts (version, language, text, text_hash, created_at) VALUES (1, ?, ?, ?, '2026-01-01')",
            [language, f"consent in {language}", hashlib.sha256(language.encode()).hexdigest()],
        )


class Phone:
    """A logged-in phone that sends its outbox the way outbox.js does."""

    def __init__(self, client):
        self.client = client

    def token(self):
        return self.client.get("/api/v1/csrf").get_json()["csrf_token"]

    def send(self, items, lang=None):
        headers = {"X-CSRFToken": self.token()}
        if lang:
            self.client.set_cookie("lang", lang)
        return self.client.post("/api/v1/outbox", json={"items": items}, headers=headers)


@pytest.fixture
def phone_of(app, staff, reference_data):
    def _phone(role="outreach"):
        client = app.test_client()
        assert login(client, role).status_code == 302
        return Phone(client)

    return _phone


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_signup_is_stored_with_its_consent_text_and_language(db, phone_of):
    item = signup_item(db)
    response = phone_of("coordinator").send([item])
    (result,) = response.get_json()["results"]
    assert result["status"] == "ok" and result["id"] == item["id"]
    participant = db.execute("SELECT * FROM participants WHERE id = ?", [result["participant_id"]]).fetchone()
    assert participant["phone"] == phone(0) and participant["language"] == "ar"
    consent = db.execute("SELECT * FROM consents WHERE participant_id = ?", [participant["id"]]).fetchone()
    assert consent["language"] == "ar"
    assert consent["consent_text_id"] == item["data"]["consent_text_id"]


def test_danish_numbers_without_country_code_are_stored_as_e164(db, phone_of):
    (result,) = phone_of().send([signup_item(db, phone="20 12 34 56")]).get_json()["results"]
    assert result["status"] == "ok"
    assert db.execute("SELECT phone FROM participants").fetchone()[0] == "+4520123456"


def test_a_thousand_items_sent_twice_store_a_thousand_participants(db, phone_of):
    items = [signup_item(db, number) for number in range(1000)]
    phone = phone_of("coordinator")
    first = phone.send(items).get_json()["results"]
    assert [r["status"] for r in first] == ["ok"] * 1000
    second = phone.send(items).get_json()["results"]
    assert [r["status"] for r in second] == ["duplicate"] * 1000
    assert [r["participant_id"] for r in second] == [r["participant_id"] for r in first]
    assert (
        count(db, "participants") == 1000 and count(db, "signups") == 1000 and count(db, "consents") == 1000
    )


def test_answers_lost_on_the_way_back_lose_and_double_nothing(db, phone_of):
    items = [signup_item(db, number) for number in range(1000)]
    phone, waiting, rounds = phone_of(), list(items), 0
    randomness = random.Random(7)
    while waiting:
        rounds += 1
        results = phone.send(waiting).get_json()["results"]
        received = [r for r in results if randomness.random() >= 0.3]  # 30% of the answers are lost
        done = {r["id"] for r in received if r["status"] in ("ok", "duplicate")}
        waiting = [item for item in waiting if item["id"] not in done]
    assert rounds > 1
    assert count(db, "participants") == 1000 and count(db, "signups") == 1000


def test_the_same_id_with_other_content_is_a_conflict_and_overwrites_nothing(db, phone_of):
    item = signup_item(db)
    phone = phone_of()
    phone.send([item])
    changed = {**item, "data": {**item["data"], "first_name": "Someone else"}}
    (result,) = phone.send([changed]).get_json()["results"]
    assert result["status"] == "conflict"
    assert db.execute("SELECT first_name FROM participants").fetchone()[0] == "Amina 0"


def test_a_bad_phone_number_comes_back_invalid_in_her_language_and_can_be_fixed(app, db, phone_of):
    item = signup_item(db, phone="12")
    phone = phone_of()
    (result,) = phone.send([item], lang="ar").get_json()["results"]
    assert result["status"] == "invalid" and set(result["errors"]) == {"phone"}
    message = translated(
        app,
        "ar",
        "This is not a phone number we can use: a Danish number has 8 digits, "
        "others start with + and the country code.",
    )
    assert result["errors"]["phone"] == message.replace("&#39;", "'")
    assert count(db, "participants") == 0
    fixed = {**item, "data": {**item["data"], "phone": "20123456"}}
    (result,) = phone.send([fixed]).get_json()["results"]
    assert result["status"] == "ok"


def test_what_is_wrong_is_said_in_the_forms_language_not_the_workers(app, db, phone_of):
    """She fills in the form in Urdu on a Danish worker's phone: the message is shown inside that form."""
    phone = phone_of()
    urdu = signup_item(db, 1, phone="+999 1234 5678", language="ur")
    (result,) = phone.send([urdu], lang="da").get_json()["results"]
    message = "This is not a phone number we can use: a Danish number has 8 digits, others start with + and the country code."
    assert result["errors"]["phone"] == translated(app, "ur", message).replace("&#39;", "'")
    unknown = signup_item(db, 2, phone="12", language="xx")
    (result,) = phone.send([unknown], lang="tr").get_json()["results"]
    assert result["errors"]["phone"] == translated(app, "tr", message).replace("&#39;", "'")


def test_two_workers_registering_the_same_woman_make_one_participant(db, phone_of):
    first, second = phone_of("outreach"), phone_of("coordinator")
    (a,) = first.send([signup_item(db, 5)]).get_json()["results"]
    (b,) = second.send([signup_item(db, 5, first_name="Amina")]).get_json()["results"]
    assert a["status"] == b["status"] == "ok"
    # The coordinator learns that the number was known, and whose record it joined; the outreach worker
    # learns nothing about who is in the programme (any number could be tested so).
    assert "participant_id" not in a and a["reason"] == ""
    (again,) = first.send([signup_item(db, 5, first_name="Amina B")]).get_json()["results"]
    assert again["status"] == "ok" and again["reason"] == "" and "participant_id" not in again
    assert (
        b["reason"] == "merged"
        and b["participant_id"] == db.execute("SELECT id FROM participants").fetchone()[0]
    )
    assert count(db, "participants") == 1
    # The outreach worker's second sign-up of a known number waits for a coordinator: no consent yet.
    assert [
        (row["merged"], row["awaiting"])
        for row in db.execute("SELECT merged, awaiting FROM signups ORDER BY received_at, rowid")
    ] == [(0, 0), (1, 0), (0, 1)]
    assert count(db, "consents") == 2


def test_an_expired_login_stores_nothing_and_the_phone_can_send_again(app, db, phone_of):
    phone = phone_of()
    token = phone.token()
    db.execute("DELETE FROM staff_sessions")  # the login expired
    item = signup_item(db)
    response = phone.client.post("/api/v1/outbox", json={"items": [item]}, headers={"X-CSRFToken": token})
    # The token went with the login: outbox.js asks for a new one, and is told to log in again.
    again = translated(app, "da", "Log in again to send.")
    assert (response.status_code, response.get_json()) == (400, {"error": "csrf", "message": again})
    assert count(db, "participants") == 0 and count(db, "signups") == 0
    response = phone.client.get("/api/v1/csrf")
    assert (response.status_code, response.get_json()) == (401, {"error": "login_required", "message": again})
    assert login(phone.client, "outreach").status_code == 302
    (result,) = phone.send([item]).get_json()["results"]
    assert result["status"] == "ok"


def test_without_the_csrf_header_nothing_is_stored(db, phone_of):
    response = phone_of().client.post("/api/v1/outbox", json={"items": [signup_item(db)]})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"
    assert count(db, "participants") == 0


def test_more_than_a_thousand_items_are_refused_whole(db, phone_of):
    response = phone_of().send([signup_item(db, n) for n in range(1001)])
    assert response.status_code == 413
    assert count(db, "participants") == 0


@pytest.mark.parametrize(
    "body",
    [None, [], {"items": "x"}, {"items": None}, {"nothing": []}, "text"],
)
def test_a_body_that_is_not_an_item_list_is_a_clear_400(phone_of, body):
    phone = phone_of()
    response = phone.client.post("/api/v1/outbox", json=body, headers={"X-CSRFToken": phone.token()})
    assert response.status_code == 400 and response.get_json()["message"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"id": "not-a-uuid"}, "id"),
        ({"id": 12}, "id"),
        ({"kind": "pizza"}, "kind"),
        ({"recorded_at": "2026-11-23T10:15:00"}, "recorded_at"),
        ({"recorded_at": "yesterday"}, "recorded_at"),
        ({"recorded_at": "9999-12-31T23:59:59-12:00"}, "recorded_at"),
        ({"recorded_at": "2001-01-01T10:00:00+00:00"}, "recorded_at"),
        ({"kind": []}, "kind"),
        ({"data": "x"}, "data"),
        ({"data": None}, "data"),
    ],
)
def test_malformed_items_are_invalid_one_by_one(db, phone_of, change, field):
    good, bad = signup_item(db, 1), {**signup_item(db, 2), **change}
    results = phone_of().send([good, bad, "not an item"]).get_json()["results"]
    assert [r["status"] for r in results] == ["ok", "invalid", "invalid"]
    assert field in results[1]["errors"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", ""),
        ("first_name", "x" * 10_000),
        ("first_name", ["a"]),
        ("first_name", "a\u202eb"),
        ("phone", None),
        ("phone", "+45 1"),
        ("phone", "9" * 10_000),
        ("language", "en"),
        ("estate_id", 999),
        ("estate_id", "abc"),
        ("estate_id", 10**30),
        ("year_of_birth", 1800),
        ("year_of_birth", "nineteen"),
        ("subgroup", "rich"),
        ("interests", "cooking,fishing"),
        ("interests", [1, 2]),
        ("availability", {"a": 1}),
        ("childcare", "perhaps"),
        ("channel", "radio"),
        ("campaign_id", 4),
        ("consent_text_id", None),
        ("consent_text_id", 999),
        ("card_code", "short"),
    ],
)
def test_each_bad_field_is_named_in_the_answer(db, phone_of, field, value):
    (result,) = phone_of().send([signup_item(db, **{field: value})]).get_json()["results"]
    assert result["status"] == "invalid"
    assert field in result["errors"] and result["errors"][field]


def test_mixed_direction_names_are_fine(db, phone_of):
    (result,) = phone_of().send([signup_item(db, first_name="Amina أمينة")]).get_json()["results"]
    assert result["status"] == "ok"


def test_a_card_given_at_sign_up_is_kept_only_as_a_hash(db, phone_of):
    code = "Zq3xv9Lr2Tn8Kp4Wm7Bc1D"
    (result,) = phone_of().send([signup_item(db, card_code=code)]).get_json()["results"]
    assert result["status"] == "ok"
    row = db.execute("SELECT * FROM cards").fetchone()
    assert row["code_hash"] == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(tuple(row))


def test_a_card_of_another_woman_is_refused(db, phone_of):
    code = "Zq3xv9Lr2Tn8Kp4Wm7Bc1D"
    phone = phone_of()
    phone.send([signup_item(db, 1, card_code=code)])
    (result,) = phone.send([signup_item(db, 2, card_code=code)]).get_json()["results"]
    assert result["status"] == "invalid" and "card_code" in result["errors"]


def test_an_erased_sign_up_is_gone_and_never_comes_back(db, phone_of):
    item = signup_item(db)
    db.execute("INSERT INTO erasures (signup_id, erased_at) VALUES (?, '2026-11-23')", [item["id"]])
    (result,) = phone_of().send([item]).get_json()["results"]
    assert result["status"] == "gone"
    assert count(db, "participants") == 0


def test_reference_gives_the_offline_form_what_it_needs(phone_of):
    reference = phone_of().client.get("/api/v1/reference").get_json()
    assert {"estates", "channels", "campaigns", "interests", "subgroups", "consent_texts"} <= set(reference)
    assert {text["language"] for text in reference["consent_texts"]} == {"da", "tr", "ur", "ar"}
    assert set(reference["consent_texts"][0]) == {"id", "version", "language", "text"}
    assert "poster" in {channel["key"] for channel in reference["channels"]}


def test_the_form_without_javascript_registers_her_once(app, db, staff, reference_data, login_as):
    client = login_as("outreach", lang="tr")
    page = client.get("/tr/signup").get_data(as_text=True)
    import re

    signup_id = re.search(r'name="signup_id" value="([^"]+)"', page).group(1)
    recorded_at = re.search(r'name="recorded_at" value="([^"]+)"', page).group(1)
    consent_id = db.execute("SELECT id FROM consent_texts WHERE language = 'tr'").fetchone()[0]
    form = {
        "signup_id": signup_id,
        "recorded_at": recorded_at,
        "first_name": "Fatma",
        "phone": "20123456",
        "estate_id": str(db.execute("SELECT id FROM estates").fetchone()[0]),
        "year_of_birth": "",
        "subgroup": "job_ready",
        "interests": ["cooking", "job_club"],
        "childcare": "0",
        "channel": "friend",
        "campaign_id": "",
        "consent_text_id": str(consent_id),
    }
    assert post_form(client, "/tr/signup", form).status_code == 302
    assert post_form(client, "/tr/signup", form).status_code == 302  # sent twice
    participant = db.execute("SELECT * FROM participants").fetchone()
    assert count(db, "participants") == 1 and participant["language"] == "tr"
    assert participant["interests"] == '["cooking", "job_club"]'


def test_the_form_without_javascript_keeps_what_was_typed_on_errors(app, db, staff, reference_data, login_as):
    client = login_as("outreach", lang="ar")
    response = post_form(
        client, "/ar/signup", {"first_name": "أمينة", "phone": "123", "interests": ["cooking"]}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="أمينة"' in html and 'value="123"' in html
    assert 'value="cooking" checked' in html
    assert translated(app, "ar", "The consent text must be accepted before the sign-up can be saved.") in html
    assert count(db, "participants") == 0


def test_a_card_given_at_sign_up_through_the_form(app, db, staff, reference_data, login_as):
    client = login_as("outreach")
    consent_id = db.execute("SELECT id FROM consent_texts WHERE language = 'da'").fetchone()[0]
    form = {
        "first_name": "Nadia",
        "phone": "20123457",
        "estate_id": str(db.execute("SELECT id FROM estates").fetchone()[0]),
        "subgroup": "job_ready",
        "childcare": "0",
        "channel": "friend",
        "consent_text_id": str(consent_id),
        "card_code": "too short",
        "signup_id": str(uuid.uuid4()),
        "recorded_at": an_hour_ago(),
    }
    response = post_form(client, "/da/signup", form)
    assert response.status_code == 400 and 'value="too short"' in response.get_data(as_text=True)
    form["card_code"] = "Zq3xv9Lr2Tn8Kp4Wm7Bc1D"
    assert post_form(client, "/da/signup", form).status_code == 302
    assert count(db, "cards") == 1


def test_a_lone_surrogate_is_refused_without_stopping_the_others(db, phone_of):
    good, bad = signup_item(db, 1), signup_item(db, 2, first_name="A\ud83d")
    import json as json_module

    phone = phone_of()
    body = json_module.dumps({"items": [good, bad]})  # JSON can carry what UTF-8 cannot
    response = phone.client.post(
        "/api/v1/outbox", data=body, content_type="application/json", headers={"X-CSRFToken": phone.token()}
    )
    assert [r["status"] for r in response.get_json()["results"]] == ["ok", "invalid"]


def test_a_merged_sign_up_keeps_what_it_said(db, phone_of):
    phone = phone_of("coordinator")
    phone.send([signup_item(db, 3, first_name="Amina")])
    phone.send([signup_item(db, 3, first_name="Fatma", language="tr")])
    row = db.execute("SELECT first_name, details FROM signups WHERE merged = 1").fetchone()
    assert row["first_name"] == "Fatma" and '"language": "tr"' in row["details"]


def test_erasing_a_woman_makes_a_late_resend_gone(db, phone_of):
    item = signup_item(db, 4)
    phone = phone_of("coordinator")
    (result,) = phone.send([item]).get_json()["results"]
    db.execute("DELETE FROM participants WHERE id = ?", [result["participant_id"]])
    (again,) = phone.send([item]).get_json()["results"]
    assert again["status"] == "gone"
    assert count(db, "participants") == 0


def test_a_blank_card_handed_out_at_the_door_becomes_hers_by_its_printed_code(app, db, phone_of, staff):
    """The worker types the code printed under the QR code, in capitals or not, with its hyphens; the QR code
    (which holds the code in small letters without hyphens) then checks her in."""
    from blueprints.participants.cards import CARD_CODE
    from qr import qr_svg

    client = app.test_client()
    assert login(client, "outreach").status_code == 302
    sheet = client.get("/da/cards/blank").get_data(as_text=True)
    printed = re.findall(r'class="qr-card-code" dir="ltr"><bdi>([a-z0-9-]+)</bdi>', sheet)
    assert len(printed) == len(set(printed)) == 8
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code) for code in printed)
    code = printed[0]
    assert str(qr_svg(code.replace("-", ""))) in sheet  # the QR code holds the same code
    assert db.execute("SELECT count(*) FROM cards").fetchone()[0] == 0  # nothing stored for a blank sheet
    (result,) = (
        phone_of("coordinator").send([signup_item(db, 7, card_code=code.upper())]).get_json()["results"]
    )
    assert result["status"] == "ok"
    stored = db.execute(
        "SELECT code_hash FROM cards WHERE participant_id = ?", [result["participant_id"]]
    ).fetchone()
    assert stored["code_hash"] == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert CARD_CODE.match(code.replace("-", ""))  # the scanner sends what the QR code holds: accepted


def test_a_known_number_from_an_outreach_worker_waits_for_a_coordinator_to_say_who_she_is(app, db, phone_of):
    phone_of("outreach").send([signup_item(db, 8, first_name="Amina")])
    outreach = phone_of("outreach")
    outreach.send([signup_item(db, 8, first_name="Amina K", card_code=None)])
    outreach.send([signup_item(db, 8, first_name="Hodan", language="tr")])  # her sister, same phone
    assert count(db, "consents") == 1 and count(db, "participants") == 1
    coordinator = phone_of("coordinator").client
    page = coordinator.get("/da/campaigns").get_data(as_text=True)
    assert "Amina K" in page and "Hodan" in page
    waiting = [row["id"] for row in db.execute("SELECT id FROM signups WHERE awaiting = 1 ORDER BY rowid")]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    same = coordinator.post(f"/da/signups/{waiting[0]}/same-woman", data={"csrf_token": token})
    assert same.status_code == 302
    other = coordinator.post(f"/da/signups/{waiting[1]}/another-woman", data={"csrf_token": token})
    assert other.status_code == 302
    women = {
        row["first_name"]: row["phone"] for row in db.execute("SELECT first_name, phone FROM participants")
    }
    assert women == {"Amina": phone(8), "Hodan": None}  # the number stays the first woman's
    assert count(db, "consents") == 3 and count(db, "signups WHERE awaiting = 1") == 0
    again = coordinator.post(f"/da/signups/{waiting[1]}/same-woman", data={"csrf_token": token})
    assert again.status_code == 404  # answered already
